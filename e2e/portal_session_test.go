//go:build e2e

package e2e

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/testutil"
)

// signInAs signs in afresh as email with testutil's password, signing
// whoever is signed in out first through the header's Log out, as a person
// would.
func signInAs(p *page, email string) {
	p.t.Helper()
	p.visit("/dashboard")
	p.poll("signed in or not", `location.pathname === '/login' || !!document.querySelector('[data-testid=logout]')`)
	if eval[bool](p, "someone signed in", `location.pathname !== '/login'`) {
		p.clickID("logout")
	}
	p.poll("signed out", `location.pathname === '/login' && !localStorage.getItem('pocketbase_auth')`)
	p.fill("Email", email)
	p.fill("Password", testPassword)
	p.click("Log in")
	p.poll("signed in", `location.pathname === '/dashboard'`)
}

// TestSignOutWinsOverARefreshInFlight: every page load renews the session;
// a customer who logs out while that renewal is still on its way stays
// signed out when its answer arrives. The portal used to save the answer's
// token and sign them back in (seen as a flaky browser test that signed in
// as a second customer right after the first).
func TestSignOutWinsOverARefreshInFlight(t *testing.T) {
	pf := startPlatform(t)
	const email = "leaver@example.com"
	testutil.Customer(t, pf.App, email, "USD")

	var slow atomic.Bool
	const held = 1500 * time.Millisecond
	pf.App.OnRecordAuthRefreshRequest("customers").BindFunc(func(e *core.RecordAuthRefreshRequestEvent) error {
		if slow.Load() {
			time.Sleep(held)
		}
		return e.Next()
	})

	p := newPage(t, pf.URL)
	signInAs(p, email)
	slow.Store(true)
	p.visit("/dashboard")
	p.clickID("logout")
	p.poll("on the login page", `location.pathname === '/login'`)
	time.Sleep(held + time.Second)
	if eval[bool](p, "signed back in", `!!localStorage.getItem('pocketbase_auth')`) {
		t.Fatal("the renewal that was in flight at log out signed the customer back in")
	}
	p.visit("/dashboard")
	p.poll("still signed out", `location.pathname === '/login'`)
}
