package apikeys_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/ezscale/ezscale/internal/apikeys"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/clock"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/testutil"
)

type keyEnv struct {
	app      *tests.TestApp
	api      *testutil.API
	a, b     *core.Record // customers
	staff    *core.Record
	aService string
	bService string
}

func newKeyEnv(t *testing.T) *keyEnv {
	t.Helper()
	app := testutil.NewApp(t)
	env := &keyEnv{app: app,
		a:     testutil.Customer(t, app, "a@example.com", "USD"),
		b:     testutil.Customer(t, app, "b@example.com", "USD"),
		staff: testutil.Superuser(t, app, "staff@example.com"),
	}
	env.aService = testutil.Service(t, app, env.a).Id
	env.bService = testutil.Service(t, app, env.b).Id
	env.api = testutil.NewAPI(t, app)
	return env
}

// key creates a key for owner through the owner's own route, as the
// portal and console do, and returns the key shown once.
func (env *keyEnv) key(t *testing.T, owner *core.Record, access string, families ...string) (key, id string) {
	t.Helper()
	path := "/api/account/api-keys"
	if owner.IsSuperuser() {
		path = "/api/staff/api-keys"
	}
	res := env.api.Do(http.MethodPost, path, testutil.Token(t, owner), map[string]any{
		"name": "test " + access, "access": access, "families": families, "expires_in_days": 30})
	if res.Status != http.StatusCreated {
		t.Fatalf("create key: %d %s", res.Status, res.Body)
	}
	obj := res.Object(t)
	return obj["key"].(string), obj["id"].(string)
}

// call sends a request with key in the given header form.
func (env *keyEnv) call(method, path, header, key string, body string) *testutil.Response {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	switch header {
	case "x-api-key":
		req.Header.Set("X-API-Key", key)
	case "bare":
		req.Header.Set("Authorization", key)
	default:
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.RemoteAddr = "192.0.2.10:4000"
	return env.api.Send(req)
}

func TestAPIKeyScopes(t *testing.T) {
	env := newKeyEnv(t)
	full, _ := env.key(t, env.a, apikeys.AccessFull, apikeys.CustomerFamilies...)
	readOnly, _ := env.key(t, env.a, apikeys.AccessRead, apikeys.CustomerFamilies...)
	invoicesOnly, _ := env.key(t, env.a, apikeys.AccessFull, apikeys.FamilyInvoices)
	revoked, revokedID := env.key(t, env.a, apikeys.AccessFull, apikeys.CustomerFamilies...)
	if res := env.api.Do(http.MethodDelete, "/api/account/api-keys/"+revokedID, testutil.Token(t, env.a), nil); res.Status != 200 {
		t.Fatalf("revoke: %d %s", res.Status, res.Body)
	}
	expired, expiredID := env.key(t, env.a, apikeys.AccessFull, apikeys.CustomerFamilies...)
	if _, err := env.app.DB().Update(apikeys.Collection, dbx.Params{"expires": "2020-01-01 00:00:00.000Z"},
		dbx.HashExp{"id": expiredID}).Execute(); err != nil {
		t.Fatal(err)
	}
	staffKey, _ := env.key(t, env.staff, apikeys.AccessFull, apikeys.FamilyStaff, apikeys.FamilyServices)
	wrongSecret := full[:len(full)-4] + "zzzz"
	if wrongSecret == full {
		wrongSecret = full[:len(full)-4] + "yyyy"
	}
	aRecord := "/api/collections/customers/records/" + env.a.Id

	cases := []struct {
		name, key, header, method, path, body string
		status                                int
		contains                              string
	}{
		{"full key lists own services", full, "bearer", "GET", "/api/collections/services/records", "", 200, env.aService},
		{"X-API-Key header works", full, "x-api-key", "GET", "/api/collections/services/records/" + env.aService, "", 200, env.aService},
		{"bare Authorization key works", full, "bare", "GET", "/api/collections/services/records/" + env.aService, "", 200, env.aService},
		{"another customer's service is 404 through a key", full, "bearer", "GET", "/api/collections/services/records/" + env.bService, "", 404, ""},
		{"full key edits the profile", full, "bearer", "PATCH", aRecord, `{"name":"Renamed by key"}`, 200, "Renamed by key"},
		{"read-only key reads", readOnly, "bearer", "GET", aRecord, "", 200, env.a.Id},
		{"read-only key refuses a write", readOnly, "bearer", "PATCH", aRecord, `{"name":"x"}`, 403, "read-only"},
		{"family-limited key refuses another family", invoicesOnly, "bearer", "GET", "/api/collections/services/records", "", 403, "not scoped for services"},
		{"family-limited key refuses it by collection id too", invoicesOnly, "bearer", "GET", "/api/collections/" + collectionID(t, env.app, "services") + "/records", "", 403, "not scoped for services"},
		{"family-limited key reaches its family", invoicesOnly, "bearer", "GET", "/api/collections/invoices/records", "", 200, ""},
		{"revoked key is 401", revoked, "bearer", "GET", "/api/collections/services/records", "", 401, ""},
		{"expired key is 401", expired, "bearer", "GET", "/api/collections/services/records", "", 401, ""},
		{"wrong secret is 401", wrongSecret, "bearer", "GET", "/api/collections/services/records", "", 401, ""},
		{"malformed key is 401", "ezk_live_nope", "bearer", "GET", "/api/collections/services/records", "", 401, ""},
		{"customer key never reaches staff routes", full, "bearer", "GET", "/api/staff/customers", "", 403, ""},
		{"staff key reaches staff routes", staffKey, "bearer", "GET", "/api/staff/customers", "", 200, env.a.Id},
		{"staff key reads any service, as staff", staffKey, "bearer", "GET", "/api/collections/services/records/" + env.bService, "", 200, env.bService},
		{"a key cannot create keys", full, "bearer", "POST", "/api/account/api-keys", `{"name":"x","access":"full","families":["account"],"expires_in_days":1}`, 403, ""},
		{"a key cannot list keys", full, "bearer", "GET", "/api/account/api-keys", "", 403, ""},
		{"a staff key cannot create keys", staffKey, "bearer", "POST", "/api/staff/api-keys", `{"name":"x","access":"full","families":["staff"],"expires_in_days":1}`, 403, ""},
		{"a key cannot refresh into a token", full, "bearer", "POST", "/api/collections/customers/auth-refresh", "", 403, ""},
		{"a staff key cannot impersonate", staffKey, "bearer", "POST", "/api/collections/customers/impersonate/" + env.a.Id, "", 403, ""},
		{"a key cannot change the email", full, "bearer", "PATCH", aRecord, `{"email":"new@example.com"}`, 403, "email"},
		{"a key cannot change the password", full, "bearer", "PATCH", aRecord, `{"password":"12345678901","passwordConfirm":"12345678901","oldPassword":"x"}`, 403, "password"},
		{"a key cannot touch two-factor", full, "bearer", "POST", "/api/account/totp/setup", "", 403, ""},
		{"a key cannot touch passkeys", full, "bearer", "GET", "/api/account/passkeys", "", 403, ""},
		{"a key cannot read its own key records", full, "bearer", "GET", "/api/collections/api_keys/records", "", 403, ""},
		{"a key opens no realtime connection", full, "bearer", "GET", "/api/realtime", "", 403, ""},
		{"a key cannot mint a file token", full, "bearer", "POST", "/api/files/token", "", 403, ""},
		{"a key of another family reads the catalog", invoicesOnly, "bearer", "GET", "/api/collections/plans/records", "", 200, ""},
		{"a key reads the API description", readOnly, "bearer", "GET", "/api/openapi.json", "", 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := env.call(c.method, c.path, c.header, c.key, c.body)
			if res.Status != c.status || !strings.Contains(string(res.Body), c.contains) {
				t.Fatalf("got %d %s; want %d containing %q", res.Status, res.Body, c.status, c.contains)
			}
		})
	}

	t.Run("the list through a key holds only the owner's services", func(t *testing.T) {
		ids := env.call("GET", "/api/collections/services/records", "bearer", full, "").IDs(t)
		if !slices.Equal(ids, []string{env.aService}) {
			t.Fatalf("services through A's key: %v, want only %s", ids, env.aService)
		}
	})
	t.Run("email unchanged after the refused change", func(t *testing.T) {
		got, err := env.app.FindRecordById("customers", env.a.Id)
		if err != nil || got.Email() != "a@example.com" {
			t.Fatalf("email now %q (%v)", got.Email(), err)
		}
	})
	t.Run("a key beside a token is refused", func(t *testing.T) {
		req := httptest.NewRequest("GET", "/api/collections/services/records", nil)
		req.Header.Set("X-API-Key", full)
		req.Header.Set("Authorization", testutil.Token(t, env.b))
		if res := env.api.Send(req); res.Status != 400 {
			t.Fatalf("got %d %s, want 400", res.Status, res.Body)
		}
	})
	t.Run("a closed account's key answers 401 like its token", func(t *testing.T) {
		env.a.Set("status", "closed")
		if err := env.app.Save(env.a); err != nil {
			t.Fatal(err)
		}
		defer func() {
			env.a.Set("status", "active")
			if err := env.app.Save(env.a); err != nil {
				t.Fatal(err)
			}
		}()
		if res := env.call("GET", "/api/collections/services/records", "bearer", invoicesOnly, ""); res.Status != 401 {
			t.Fatalf("got %d %s, want 401", res.Status, res.Body)
		}
	})
}

func collectionID(t *testing.T, app core.App, name string) string {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(name)
	if err != nil {
		t.Fatal(err)
	}
	return col.Id
}

// The key is shown once and never stored: no column of the row holds the
// key or its secret, the hash is the key's SHA-256, and neither the owner's
// list nor the records API answers the hash.
func TestAPIKeySecretNeverStored(t *testing.T) {
	env := newKeyEnv(t)
	key, id := env.key(t, env.a, apikeys.AccessFull, apikeys.FamilyAccount)
	secret := key[strings.LastIndex(key, "_")+1:]

	var row []dbx.NullStringMap
	if err := env.app.DB().NewQuery("SELECT * FROM api_keys").All(&row); err != nil {
		t.Fatal(err)
	}
	if len(row) != 1 {
		t.Fatalf("%d key rows, want 1", len(row))
	}
	for col, v := range row[0] {
		if strings.Contains(v.String, secret) {
			t.Fatalf("column %s holds the secret: %q", col, v.String)
		}
	}
	if got := row[0]["hash"].String; got != apikeys.Hash(key) || len(got) != 64 {
		t.Fatalf("hash %q is not the key's SHA-256", got)
	}
	token := testutil.Token(t, env.a)
	for _, path := range []string{"/api/account/api-keys", "/api/collections/api_keys/records", "/api/collections/api_keys/records/" + id} {
		res := env.api.Do("GET", path, token, nil)
		if res.Status != 200 || strings.Contains(string(res.Body), row[0]["hash"].String) || strings.Contains(string(res.Body), secret) {
			t.Fatalf("%s: %d %s", path, res.Status, res.Body)
		}
		if !strings.Contains(string(res.Body), id) {
			t.Fatalf("%s does not list the owner's key: %s", path, res.Body)
		}
	}
	if ids := env.api.Do("GET", "/api/collections/api_keys/records", testutil.Token(t, env.b), nil).IDs(t); len(ids) != 0 {
		t.Fatalf("B lists A's keys: %v", ids)
	}
}

// A use is recorded with its address, at most once in five minutes.
func TestAPIKeyLastUse(t *testing.T) {
	env := newKeyEnv(t)
	key, id := env.key(t, env.a, apikeys.AccessRead, apikeys.FamilyServices)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock.Set(env.app, func() time.Time { return now })
	lastUse := func() (time.Time, string) {
		rec, err := env.app.FindRecordById(apikeys.Collection, id)
		if err != nil {
			t.Fatal(err)
		}
		return rec.GetDateTime("last_used").Time(), rec.GetString("last_used_ip")
	}
	if at, _ := lastUse(); !at.IsZero() {
		t.Fatalf("unused key has a last use: %v", at)
	}
	steps := []struct {
		advance time.Duration
		want    time.Time
	}{
		{0, now},
		{time.Minute, now}, // throttled: not written again
		{5 * time.Minute, now.Add(6 * time.Minute)}, // written again
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		if res := env.call("GET", "/api/collections/services/records", "bearer", key, ""); res.Status != 200 {
			t.Fatalf("step %d: %d %s", i, res.Status, res.Body)
		}
		at, ip := lastUse()
		if !at.Equal(s.want) || ip != "192.0.2.10" {
			t.Fatalf("step %d: last use %v from %q, want %v from 192.0.2.10", i, at, ip, s.want)
		}
	}
}

// Creating and revoking are audited as the owner's actions; the entry
// never carries the hash.
func TestAPIKeyAudit(t *testing.T) {
	env := newKeyEnv(t)
	_, id := env.key(t, env.a, apikeys.AccessFull, apikeys.FamilyAccount)
	if res := env.api.Do(http.MethodDelete, "/api/account/api-keys/"+id, testutil.Token(t, env.a), nil); res.Status != 200 {
		t.Fatalf("revoke: %d %s", res.Status, res.Body)
	}
	key, err := env.app.FindRecordById(apikeys.Collection, id)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := env.app.FindAllRecords(audit.Collection, dbx.HashExp{"collection": apikeys.Collection, "record_id": id})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.GetString("action"))
		if e.GetString("actor_kind") != audit.KindCustomer || e.GetString("actor_id") != env.a.Id {
			t.Fatalf("entry %s by %s %s, want customer %s", e.GetString("action"), e.GetString("actor_kind"), e.GetString("actor_id"), env.a.Id)
		}
		if strings.Contains(e.GetString("changes"), key.GetString("hash")) {
			t.Fatalf("audit entry holds the hash: %s", e.GetString("changes"))
		}
	}
	slices.Sort(actions)
	if !slices.Equal(actions, []string{"create", "update"}) {
		t.Fatalf("audit actions %v, want create and update (revoke)", actions)
	}
	if !strings.Contains(entries[len(entries)-1].GetString("changes")+entries[0].GetString("changes"), "revoked") {
		t.Fatal("no audit entry records the revocation")
	}
}

// Bad requests are refused with the field named and create nothing;
// nobody revokes another's key.
func TestAPIKeyRefusals(t *testing.T) {
	env := newKeyEnv(t)
	token := testutil.Token(t, env.a)
	ok := map[string]any{"name": "CI", "access": "read", "families": []string{"services"}, "expires_in_days": 30}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range ok {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"no name", with("name", "  "), "name"},
		{"unknown access", with("access", "admin"), "access"},
		{"no family", with("families", []string{}), "families"},
		{"unknown family", with("families", []string{"services", "everything"}), "families"},
		{"a customer cannot have the staff family", with("families", []string{"staff"}), "families"},
		{"no expiry", with("expires_in_days", 0), "expires_in_days"},
		{"expiry too far", with("expires_in_days", 366), "expires_in_days"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := env.api.Do(http.MethodPost, "/api/account/api-keys", token, c.body)
			if res.Status != 400 || !strings.Contains(string(res.Body), `"`+c.field+`"`) {
				t.Fatalf("got %d %s, want 400 naming %s", res.Status, res.Body, c.field)
			}
		})
	}
	if n, _ := env.app.CountRecords(apikeys.Collection); n != 0 {
		t.Fatalf("%d keys after refusals, want 0", n)
	}
	if res := env.api.Do(http.MethodPost, "/api/account/api-keys", "", ok); res.Status != 401 {
		t.Fatalf("guest creates a key: %d", res.Status)
	}
	if res := env.api.Do(http.MethodPost, "/api/staff/api-keys", token, ok); res.Status != 403 {
		t.Fatalf("customer on the staff route: %d", res.Status)
	}

	imp := env.api.Do(http.MethodPost, "/api/collections/customers/impersonate/"+env.a.Id, testutil.Token(t, env.staff), map[string]any{"duration": 600})
	if imp.Status != 200 {
		t.Fatalf("impersonate: %d %s", imp.Status, imp.Body)
	}
	if res := env.api.Do(http.MethodPost, "/api/account/api-keys", imp.Object(t)["token"].(string), ok); res.Status != 403 {
		t.Fatalf("staff impersonating A create a key: %d %s, want 403", res.Status, res.Body)
	}
	if n, _ := env.app.CountRecords(apikeys.Collection); n != 0 {
		t.Fatalf("%d keys after the impersonated attempt, want 0", n)
	}

	_, id := env.key(t, env.a, apikeys.AccessRead, apikeys.FamilyServices)
	for range apikeys.MaxKeysPerOwner - 1 {
		env.key(t, env.a, apikeys.AccessRead, apikeys.FamilyServices)
	}
	if res := env.api.Do(http.MethodPost, "/api/account/api-keys", token, ok); res.Status != 400 || !strings.Contains(string(res.Body), "revoke one first") {
		t.Fatalf("key over the limit: %d %s, want 400", res.Status, res.Body)
	}
	if res := env.api.Do(http.MethodDelete, "/api/account/api-keys/"+id, testutil.Token(t, env.b), nil); res.Status != 404 {
		t.Fatalf("B revokes A's key: %d %s", res.Status, res.Body)
	}
	if res := env.api.Do(http.MethodDelete, "/api/staff/api-keys/"+id, testutil.Token(t, env.staff), nil); res.Status != 404 {
		t.Fatalf("staff revoke A's key through their own route: %d %s", res.Status, res.Body)
	}
	rec, err := env.app.FindRecordById(apikeys.Collection, id)
	if err != nil || !rec.GetDateTime("revoked").IsZero() {
		t.Fatalf("A's key revoked by someone else (%v)", err)
	}
}

// A key's requests are rate limited as its owner's: PocketBase's limiter
// runs after the key has set the owner as the request's auth, so the
// signed-in limits (here: ten order quotes a minute) hold for a key.
func TestAPIKeyRateLimitedAsOwner(t *testing.T) {
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{"EZ_ENCRYPTION_KEY": "0123456789abcdef0123456789abcdef", "EZ_RATE_LIMITS": "true"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	app := testutil.NewAppWith(t, cfg)
	env := &keyEnv{app: app, a: testutil.Customer(t, app, "a@example.com", "USD"), api: testutil.NewAPI(t, app)}
	_, price := testutil.Plan(t, app, "vps", "USD", 1200)
	key, _ := env.key(t, env.a, apikeys.AccessFull, apikeys.FamilyServices)
	statuses := map[int]int{}
	for range 12 {
		statuses[env.call(http.MethodPost, "/api/orders/quote", "bearer", key, `{"plan_price":"`+price.Id+`"}`).Status]++
	}
	if statuses[http.StatusOK] != 10 || statuses[http.StatusTooManyRequests] != 2 {
		t.Errorf("12 quotes with a key in a minute: %v, want 10 answered and 2 refused with 429", statuses)
	}
}
