package settings

import (
	"strings"
	"testing"
)

func valid() *Settings {
	return &Settings{
		BaseCurrency:           "USD",
		Currencies:             []string{"USD", "EUR"},
		ExchangeRates:          map[string]string{"EUR": "1.08"},
		InvoiceNumberFormat:    "INV-{YYYY}-{SEQ:6}",
		CreditNoteNumberFormat: "CN-{SEQ}",
		ProformaNumberFormat:   "PRO-{YY}{MM}-{SEQ:4}",
		RenewalLeadDays:        map[string]int{"monthly": 7},
		DunningRetryDays:       []int{1, 3, 5, 7},
		BandwidthAlertPercents: []int{75, 90, 100},
		DunningSuspendDays:     7,
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name    string
		mutate  func(*Settings)
		wantErr string // field named in the error; "" = valid
	}{
		{"defaults", func(*Settings) {}, ""},
		{"unknown base currency", func(s *Settings) { s.BaseCurrency = "XYZ" }, "base_currency"},
		{"lower case currency", func(s *Settings) { s.Currencies = []string{"usd"} }, "currencies"},
		{"no currencies", func(s *Settings) { s.Currencies = nil }, "currencies"},
		{"missing rate", func(s *Settings) { s.ExchangeRates = nil }, "exchange_rates"},
		{"negative rate", func(s *Settings) { s.ExchangeRates["EUR"] = "-1.08" }, "exchange_rates"},
		{"zero rate", func(s *Settings) { s.ExchangeRates["EUR"] = "0" }, "exchange_rates"},
		{"float notation rate", func(s *Settings) { s.ExchangeRates["EUR"] = "1e3" }, "exchange_rates"},
		{"rate for unknown currency", func(s *Settings) { s.ExchangeRates["ABC"] = "1" }, "exchange_rates"},
		{"format without sequence", func(s *Settings) { s.InvoiceNumberFormat = "INV-{YYYY}" }, "invoice_number_format"},
		{"format with unknown token", func(s *Settings) { s.CreditNoteNumberFormat = "CN-{DD}-{SEQ}" }, "credit_note_number_format"},
		{"negative suspend days", func(s *Settings) { s.DunningSuspendDays = -1 }, "dunning_suspend_days"},
		{"negative lead days", func(s *Settings) { s.RenewalLeadDays["monthly"] = -2 }, "renewal_lead_days"},
		{"unknown cycle", func(s *Settings) { s.RenewalLeadDays["weekly"] = 1 }, "renewal_lead_days"},
		{"retry days not increasing", func(s *Settings) { s.DunningRetryDays = []int{1, 5, 3} }, "dunning_retry_days"},
		{"retry day zero", func(s *Settings) { s.DunningRetryDays = []int{0, 3} }, "dunning_retry_days"},
		{"alert percent zero", func(s *Settings) { s.BandwidthAlertPercents = []int{0} }, "bandwidth_alert_percents"},
		{"negative high-value threshold", func(s *Settings) { s.HighValueOrderThreshold = -1 }, "high_value_order_threshold"},
		{"high-value alert off", func(s *Settings) { s.HighValueOrderThreshold = 0 }, ""},
		{"negative reminder days", func(s *Settings) { s.RenewalReminderDays = -1 }, "renewal_reminder_days"},
		{"negative overage review hours", func(s *Settings) { s.BandwidthOverageReviewHours = -1 }, "bandwidth_overage_review_hours"},
		{"negative settle hours", func(s *Settings) { s.BandwidthSettleHours = -1 }, "bandwidth_settle_hours"},
		{"negative hardware prepare hours", func(s *Settings) { s.HardwarePrepareHours = -1 }, "hardware_prepare_hours"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := valid()
			tc.mutate(s)
			err := s.Validate()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("want valid, got %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("want an error on %s, got %v", tc.wantErr, err)
			}
		})
	}
}
