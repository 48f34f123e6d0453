// Package bulk writes many new records with one prepared statement per
// collection. It is for jobs that create records by the thousand
// (renewals), where a save per record would dominate the run: PocketBase
// builds and SQLite parses every statement anew.
// Records are stored exactly as PocketBase stores them (DBExport), but no
// record hooks run: the caller does what hooks would have done, such as
// writing audit entries, itself.
package bulk

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Prepare gives new records what a save would: an id, and the created and
// updated times of their autodate fields.
func Prepare(recs []*core.Record, now time.Time) {
	stamp, _ := types.ParseDateTime(now)
	for _, r := range recs {
		if r.Id == "" {
			r.Id = core.GenerateDefaultRandomId()
		}
		for _, f := range r.Collection().Fields {
			if f.Type() == core.FieldTypeAutodate && r.GetDateTime(f.GetName()).IsZero() {
				r.SetRaw(f.GetName(), stamp)
			}
		}
	}
}

// Insert writes new records of one collection with one prepared INSERT,
// parsed once and executed per record. Call it inside a transaction; the
// records must have been through Prepare.
func Insert(app core.App, recs []*core.Record) error {
	if len(recs) == 0 {
		return nil
	}
	col := recs[0].Collection()
	columns := make([]string, 0, len(col.Fields))
	for _, f := range col.Fields {
		columns = append(columns, f.GetName())
	}
	slices.Sort(columns)
	names := make([]string, len(columns))
	holders := make([]string, len(columns))
	for i, c := range columns {
		names[i] = "[[" + c + "]]"
		holders[i] = "{:" + c + "}"
	}
	q := app.DB().NewQuery("INSERT INTO {{" + col.Name + "}} (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(holders, ", ") + ")").Prepare()
	defer q.Close()

	params := make(dbx.Params, len(columns))
	for _, r := range recs {
		if r.Collection().Id != col.Id {
			return fmt.Errorf("bulk insert: record %s is not in %s", r.Id, col.Name)
		}
		values, err := r.DBExport(app)
		if err != nil {
			return fmt.Errorf("bulk insert %s/%s: %w", col.Name, r.Id, err)
		}
		for _, c := range columns {
			params[c] = values[c]
		}
		if _, err := q.Bind(params).Execute(); err != nil {
			return fmt.Errorf("bulk insert %s/%s: %w", col.Name, r.Id, err)
		}
		r.MarkAsNotNew()
	}
	return nil
}
