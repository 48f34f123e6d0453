package secrets

import (
	"fmt"
	"io"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Rotate re-seals every stored credential from the old key to the new one,
// in one transaction: either all services move to the new key or none do.
// Credentials already sealed with the new key are left as they are, so an
// interrupted rotation can be run again.
func Rotate(app core.App, oldBox, newBox *Box, progress io.Writer) (int, error) {
	n := 0
	err := app.RunInTransaction(func(tx core.App) error {
		svcs, err := tx.FindAllRecords("services", dbx.NewExp("credentials != ''"))
		if err != nil {
			return err
		}
		for i, svc := range svcs {
			sealed := svc.GetString("credentials")
			if _, err := newBox.Open(sealed); err == nil {
				continue
			}
			values, err := oldBox.Open(sealed)
			if err != nil {
				return fmt.Errorf("service %s: credentials open with neither key: %w", svc.Id, err)
			}
			resealed, err := newBox.Seal(values)
			if err != nil {
				return err
			}
			svc.Set("credentials", resealed)
			if err := tx.Save(svc); err != nil {
				return fmt.Errorf("service %s: %w", svc.Id, err)
			}
			n++
			if (i+1)%500 == 0 {
				fmt.Fprintf(progress, "rotated %d/%d\n", i+1, len(svcs))
			}
		}
		return nil
	})
	return n, err
}
