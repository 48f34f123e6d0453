// Package migrations holds the hand-written schema of the platform: every
// collection, field, index and API rule. Migrations are reviewed code; the
// dashboard's automigrate is for local experiments only.
package migrations

import (
	"errors"
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Access rules shared by the collections. A nil rule means superusers only.
var (
	// ownerRule lets a customer list and view the records that are theirs.
	// It compares an indexed column with the auth id, so the list query
	// stays an index lookup at any table size.
	ownerRule = types.Pointer(`@request.auth.collectionName = "customers" && customer = @request.auth.id`)

	// publicRule lets anyone, signed in or not, read.
	publicRule = types.Pointer("")
)

// Field patterns used in several collections.
const (
	currencyPattern = `^[A-Z]{3}$`
	countryPattern  = `^[A-Z]{2}$`
)

var (
	zero       = types.Pointer(0.0)
	one        = types.Pointer(1.0)
	hundred    = types.Pointer(100.0)
	maxPercent = types.Pointer(100000.0) // in thousandths of a percent
)

func currencyField(name string) *core.TextField {
	return &core.TextField{Name: name, Required: true, Min: 3, Max: 3, Pattern: currencyPattern,
		Help: "ISO 4217 code, upper case"}
}

// moneyField is an integer amount in the currency's minor unit. PocketBase
// treats a required number as non-zero, so amounts are never "required".
func moneyField(name string, allowNegative bool) *core.NumberField {
	f := &core.NumberField{Name: name, OnlyInt: true, Help: "minor units (cents)"}
	if !allowNegative {
		f.Min = zero
	}
	return f
}

func countField(name string) *core.NumberField {
	return &core.NumberField{Name: name, OnlyInt: true, Min: zero}
}

func relationTo(app core.App, name, collection string, required, cascade bool) (*core.RelationField, error) {
	target, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		return nil, fmt.Errorf("relation %s -> %s: %w", name, collection, err)
	}
	return &core.RelationField{
		Name:          name,
		CollectionId:  target.Id,
		Required:      required,
		CascadeDelete: cascade,
		MaxSelect:     1,
	}, nil
}

// relations resolves several single relation fields at once.
type relationSpec struct {
	name, collection  string
	required, cascade bool
}

func addRelations(app core.App, c *core.Collection, specs ...relationSpec) error {
	for _, s := range specs {
		f, err := relationTo(app, s.name, s.collection, s.required, s.cascade)
		if err != nil {
			return err
		}
		c.Fields.Add(f)
	}
	return nil
}

func timestamps(c *core.Collection) {
	c.Fields.Add(
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
}

// ownedBy makes a collection readable by the customer it belongs to and
// writable by staff only (customers write through validated routes).
func ownedBy(c *core.Collection) {
	c.ListRule = ownerRule
	c.ViewRule = ownerRule
	c.CreateRule = nil
	c.UpdateRule = nil
	c.DeleteRule = nil
}

// saveAll saves collections in order, naming the one that failed.
func saveAll(app core.App, cs ...*core.Collection) error {
	for _, c := range cs {
		if err := app.Save(c); err != nil {
			return fmt.Errorf("collection %s: %w", c.Name, err)
		}
	}
	return nil
}

// deleteAll deletes collections by name in the given order, ignoring the
// ones that do not exist so a partly applied down migration can be re-run.
func deleteAll(app core.App, names ...string) error {
	for _, name := range names {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		if err := app.Delete(c); err != nil {
			return fmt.Errorf("collection %s: %w", name, err)
		}
	}
	return nil
}

var errUsersNotEmpty = errors.New(`the default "users" collection has records: move them to "customers" before migrating`)
