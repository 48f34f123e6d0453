package hooks_test

import (
	"net/http"
	"testing"

	"github.com/ezscale/ezscale/internal/testutil"
)

func TestRevokeOtherSessions(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	bob := testutil.Customer(t, app, "bob@example.com", "USD")
	laptop, phone, bobs := testutil.Token(t, alice), testutil.Token(t, alice), testutil.Token(t, bob)

	if res := api.Do(http.MethodPost, "/api/account/sessions/revoke-others", "", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", res.Status)
	}
	res := api.Do(http.MethodPost, "/api/account/sessions/revoke-others", laptop, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("revoke: %d %s", res.Status, res.Body)
	}
	fresh, _ := res.Object(t)["token"].(string)
	if fresh == "" {
		t.Fatalf("no fresh token: %s", res.Body)
	}
	me := "/api/collections/customers/records/" + alice.Id
	for name, tc := range map[string]struct {
		token  string
		status int
	}{
		"the fresh token":         {fresh, http.StatusOK},
		"the other device":        {phone, http.StatusNotFound},
		"the token that asked":    {laptop, http.StatusNotFound},
		"another customer's, too": {bobs, http.StatusNotFound}, // bob never sees alice anyway
	} {
		if got := api.Do(http.MethodGet, me, tc.token, nil).Status; got != tc.status {
			t.Errorf("%s: %d, want %d", name, got, tc.status)
		}
	}
	if got := api.Do(http.MethodGet, "/api/collections/customers/records/"+bob.Id, bobs, nil).Status; got != http.StatusOK {
		t.Errorf("bob's session was revoked by alice: %d", got)
	}
}
