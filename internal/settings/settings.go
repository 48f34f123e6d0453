// Package settings reads and validates the business settings record that
// staff edit in the dashboard.
package settings

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/numbering"
)

// Collection holds the single settings record.
const Collection = "settings"

// Settings is the typed view of the settings record.
type Settings struct {
	CompanyName             string            `json:"company_name"`
	CompanyAddress          string            `json:"company_address"`
	CompanyCountry          string            `json:"company_country"`
	CompanyRegion           string            `json:"company_region"`
	CompanyVATID            string            `json:"company_vat_id"`
	CompanyRegistration     string            `json:"company_registration"`
	CompanyEmail            string            `json:"company_email"`
	CompanyPhone            string            `json:"company_phone"`
	CompanyBankDetails      string            `json:"company_bank_details"`
	InvoiceNumberFormat     string            `json:"invoice_number_format"`
	CreditNoteNumberFormat  string            `json:"credit_note_number_format"`
	ProformaMode            bool              `json:"proforma_mode"`
	ProformaNumberFormat    string            `json:"proforma_number_format"`
	OrderNumberFormat       string            `json:"order_number_format"`
	InvoiceDueDays          int               `json:"invoice_due_days"`
	BaseCurrency            string            `json:"base_currency"`
	Currencies              []string          `json:"currencies"`
	ExchangeRates           map[string]string `json:"exchange_rates"`
	RenewalLeadDays         map[string]int    `json:"renewal_lead_days"`
	CombineRenewals         bool              `json:"combine_renewals"`
	BillingRunTime          string            `json:"billing_run_time"`
	UpgradeInvoiceVoidDays  int               `json:"upgrade_invoice_void_days"`
	DunningReminderDays     int               `json:"dunning_reminder_days"`
	DunningRetryDays        []int             `json:"dunning_retry_days"`
	DunningSuspendDays      int               `json:"dunning_suspend_days"`
	DunningTerminateDays    int               `json:"dunning_terminate_days"`
	TaxEnabled              bool              `json:"tax_enabled"`
	EUReverseCharge         bool              `json:"eu_reverse_charge"`
	RenewalReminderDays     int               `json:"renewal_reminder_days"`
	HighValueOrderThreshold int64             `json:"high_value_order_threshold"` // base currency minor units; 0 = off
	BandwidthAlertPercents  []int             `json:"bandwidth_alert_percents"`
	BandwidthSettleHours    int               `json:"bandwidth_settle_hours"`
	// BandwidthOverageReviewHours is how long a draft overage invoice waits
	// for staff to waive lines before it is issued.
	BandwidthOverageReviewHours int `json:"bandwidth_overage_review_hours"`
	// RequireStaffPasskey makes a passkey every staff account's second
	// factor instead of the emailed code.
	RequireStaffPasskey bool `json:"require_staff_passkey"`
	// EmailCredentialsPlatforms are the platforms whose service-ready email
	// also carries the login, for customers with no portal path; empty
	// (the default) means the email only links to the portal's reveal.
	EmailCredentialsPlatforms []string `json:"email_credentials_platforms"`
	// HardwarePrepareHours is how long staff usually take to ready a
	// dedicated server when none was in stock: the customer's estimate.
	HardwarePrepareHours int `json:"hardware_prepare_hours"`
}

// EmailsCredentials reports whether the business opted in to emailing the
// login of a service on platform.
func (s *Settings) EmailsCredentials(platform string) bool {
	return platform != "" && slices.Contains(s.EmailCredentialsPlatforms, platform)
}

// Load returns the settings: from the cache Bind keeps, when it holds
// them, else read from the record. The result is the caller's to change.
func Load(app core.App) (*Settings, error) {
	c, _ := app.Store().Get(cacheKey).(*cache)
	if c == nil {
		return read(app)
	}
	cached, gen, keep := c.get()
	if cached != nil {
		return cached.clone(), nil
	}
	s, err := read(app)
	if err != nil || !keep {
		return s, err
	}
	c.put(s, gen)
	return s.clone(), nil
}

// read decodes the settings record.
func read(app core.App) (*Settings, error) {
	rec, err := Record(app)
	if err != nil {
		return nil, err
	}
	return FromRecord(rec)
}

// Record returns the settings record itself.
func Record(app core.App) (*core.Record, error) {
	rec, err := app.FindFirstRecordByFilter(Collection, "")
	if err != nil {
		return nil, fmt.Errorf("settings record missing: %w", err)
	}
	return rec, nil
}

// FromRecord decodes a settings record (saved or about to be saved).
func FromRecord(rec *core.Record) (*Settings, error) {
	raw, err := json.Marshal(rec.FieldsData())
	if err != nil {
		return nil, err
	}
	s := &Settings{}
	if err := json.Unmarshal(raw, s); err != nil {
		return nil, fmt.Errorf("settings: %w", err)
	}
	return s, nil
}

var knownCycles = []string{"hourly", "monthly", "quarterly", "semiannual", "annual", "biennial", "triennial"}

// Validate checks what the field definitions cannot: currencies known to
// ISO 4217, rates that are positive decimals, number formats with a
// sequence, and day lists that are non-negative and increasing. The
// errors are per field, so the dashboard shows each beside its input.
func (s *Settings) Validate() error {
	errs := validation.Errors{}
	fail := func(field, format string, args ...any) {
		if errs[field] == nil {
			errs[field] = validation.NewError("validation_invalid_setting", fmt.Sprintf(format, args...))
		}
	}

	if _, err := money.LookupCurrency(s.BaseCurrency); err != nil {
		fail("base_currency", "%v", err)
	}
	if len(s.Currencies) == 0 {
		fail("currencies", "list at least one currency")
	}
	for _, c := range s.Currencies {
		if _, err := money.LookupCurrency(c); err != nil {
			fail("currencies", "%v", err)
		}
	}
	for c, rate := range s.ExchangeRates {
		if _, err := money.LookupCurrency(c); err != nil {
			fail("exchange_rates", "%v", err)
			continue
		}
		r, ok := new(big.Rat).SetString(rate)
		if !ok || r.Sign() <= 0 || strings.ContainsAny(rate, "eE/") {
			fail("exchange_rates", "rate for %s must be a positive decimal such as \"1.08\", got %q", c, rate)
		}
	}
	for _, c := range s.Currencies {
		if c != s.BaseCurrency && s.ExchangeRates[c] == "" {
			fail("exchange_rates", "missing rate for %s", c)
		}
	}

	for field, format := range map[string]string{
		"invoice_number_format":     s.InvoiceNumberFormat,
		"credit_note_number_format": s.CreditNoteNumberFormat,
		"proforma_number_format":    s.ProformaNumberFormat,
	} {
		if _, err := numbering.Parse(format); err != nil {
			fail(field, "%v", err)
		}
	}
	if s.OrderNumberFormat != "" { // empty: orders use their default series
		if _, err := numbering.Parse(s.OrderNumberFormat); err != nil {
			fail("order_number_format", "%v", err)
		}
	}

	for cycle, days := range s.RenewalLeadDays {
		if !slices.Contains(knownCycles, cycle) {
			fail("renewal_lead_days", "unknown cycle %q", cycle)
		}
		if days < 0 {
			fail("renewal_lead_days", "%s: days cannot be negative", cycle)
		}
	}
	prev := 0
	for i, d := range s.DunningRetryDays {
		if d < 1 || (i > 0 && d <= prev) {
			fail("dunning_retry_days", "days must be positive and increasing, got %v", s.DunningRetryDays)
			break
		}
		prev = d
	}
	for _, p := range s.BandwidthAlertPercents {
		if p < 1 || p > 1000 {
			fail("bandwidth_alert_percents", "percent %d out of range 1..1000", p)
		}
	}
	for field, v := range map[string]int{
		"invoice_due_days":               s.InvoiceDueDays,
		"dunning_reminder_days":          s.DunningReminderDays,
		"dunning_suspend_days":           s.DunningSuspendDays,
		"dunning_terminate_days":         s.DunningTerminateDays,
		"upgrade_invoice_void_days":      s.UpgradeInvoiceVoidDays,
		"bandwidth_settle_hours":         s.BandwidthSettleHours,
		"bandwidth_overage_review_hours": s.BandwidthOverageReviewHours,
		"renewal_reminder_days":          s.RenewalReminderDays,
		"hardware_prepare_hours":         s.HardwarePrepareHours,
	} {
		if v < 0 {
			fail(field, "cannot be negative")
		}
	}
	if s.HighValueOrderThreshold < 0 {
		fail("high_value_order_threshold", "cannot be negative; 0 turns the alert off")
	}
	return errs.Filter()
}
