package secrets_test

import (
	"io"
	"testing"

	"github.com/ezscale/ezscale/internal/secrets"
	"github.com/ezscale/ezscale/internal/testutil"
)

func TestRotate(t *testing.T) {
	app := testutil.NewApp(t)
	oldBox, _ := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
	newBox, _ := secrets.New([]byte("fedcba9876543210fedcba9876543210"))
	c := testutil.Customer(t, app, "a@example.com", "USD")
	svc := testutil.Service(t, app, c)
	sealed, _ := oldBox.Seal(map[string]string{"password": "pw"})
	svc.Set("credentials", sealed)
	if err := app.Save(svc); err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= 2; run++ { // a second run finds nothing left to do
		n, err := secrets.Rotate(app, oldBox, newBox, io.Discard)
		if err != nil || n != map[int]int{1: 1, 2: 0}[run] {
			t.Fatalf("run %d: %d %v", run, n, err)
		}
	}
	fresh, _ := app.FindRecordById("services", svc.Id)
	if v, err := newBox.Open(fresh.GetString("credentials")); err != nil || v["password"] != "pw" {
		t.Errorf("after rotation: %v %v", v, err)
	}
}
