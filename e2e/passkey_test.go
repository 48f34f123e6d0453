//go:build e2e

package e2e

import (
	"testing"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// TestPasskeyInBrowser registers a passkey on the security page with
// Chrome's virtual authenticator (a platform authenticator that verifies
// the user at once), then signs in with it alone.
func TestPasskeyInBrowser(t *testing.T) {
	pf := startPlatform(t)
	customerWithService(t, pf, "keys@example.com", "keys.example.net")
	p := newPage(t, pf.URL)
	p.virtualAuthenticator()

	p.visit("/login")
	p.fill("Email", "keys@example.com")
	p.fill("Password", testPassword)
	p.click("Log in")
	p.waitFor("service-row")

	p.visit("/account/security")
	p.fill("Passkey name", "Test laptop")
	p.clickID("passkey-add")
	p.waitFor("passkey")
	p.waitText("Test laptop")
	p.screenshot("40-passkey-added")
	n, err := pf.App.CountRecords("customer_passkeys")
	if err != nil || n != 1 {
		t.Fatalf("stored passkeys: %d, %v", n, err)
	}

	p.clickID("logout")
	p.visit("/login")
	p.clickID("passkey-login")
	p.waitFor("service-row")
	if !eval[bool](p, "signed in", `location.pathname === '/dashboard' && !!localStorage.getItem('pocketbase_auth')`) {
		t.Error("the passkey did not sign in")
	}
}

// virtualAuthenticator gives the tab a CTAP2 platform authenticator with
// resident keys that approves every request.
func (p *page) virtualAuthenticator() {
	p.t.Helper()
	if _, err := chromedp.Call(p.ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		p.t.Fatalf("WebAuthn.enable: %v", err)
	}
	_, err := chromedp.Call(p.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
			HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
		},
	})
	if err != nil {
		p.t.Fatalf("WebAuthn.addVirtualAuthenticator: %v", err)
	}
}
