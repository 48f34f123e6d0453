package settings_test

import (
	"strings"
	"testing"

	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

// No platform's login is emailed until staff opt it in, and only the
// platforms that generate a login can be opted in.
func TestEmailCredentialsPlatforms(t *testing.T) {
	app := testutil.NewApp(t)
	s, err := settings.Load(app)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"virtfusion", "synergycp", "enhance", "pterodactyl", "manual"} {
		if s.EmailsCredentials(p) {
			t.Errorf("%s is opted in by default", p)
		}
	}

	for _, bad := range [][]string{{"manual"}, {"virtfusion", "whmcs"}} {
		rec, _ := settings.Record(app)
		rec.Set("email_credentials_platforms", bad)
		err := app.Save(rec)
		if err == nil || !strings.Contains(err.Error(), "email_credentials_platforms") {
			t.Errorf("%v: saved, or refused without naming the field: %v", bad, err)
		}
	}
	if s, _ := settings.Load(app); len(s.EmailCredentialsPlatforms) != 0 {
		t.Errorf("a refused save changed the opt-in: %v", s.EmailCredentialsPlatforms)
	}

	rec, _ := settings.Record(app)
	rec.Set("email_credentials_platforms", []string{"synergycp", "enhance"})
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
	s, _ = settings.Load(app)
	for p, want := range map[string]bool{"synergycp": true, "enhance": true, "virtfusion": false, "pterodactyl": false, "": false} {
		if s.EmailsCredentials(p) != want {
			t.Errorf("EmailsCredentials(%q) = %v, want %v", p, !want, want)
		}
	}
}
