package notify

import (
	"slices"
	"sort"
	"time"

	"github.com/ezscale/ezscale/billing/money"
)

// emailNotices are the customer emails, each with sample facts: the preview
// renders with them, and a staff override must render with them to be saved,
// so they name every fact a template of that notice may use.
var emailNotices = map[string]func() Data{
	"welcome":            func() Data { return Data{"Link": samplePortal + "/dashboard"} },
	"email_verification": func() Data { return Data{"Link": samplePortal + "/verify/sample-token"} },
	"password_reset":     func() Data { return Data{"Link": samplePortal + "/reset-password/sample-token"} },
	"email_change":       func() Data { return Data{"Link": samplePortal + "/confirm-email/sample-token"} },
	"invoice_issued": func() Data {
		return Data{"Invoice": sampleInvoice(), "Lines": []Data{{"Description": "Game Server 8 GB, game.example.net (monthly)",
			"Period": "7 Dec 2026 – 6 Jan 2027", "Renews": "then €29.99 monthly incl. 19% MwSt"}}, "Link": sampleInvoiceLink}
	},
	"payment_received": func() Data {
		return Data{"Invoice": sampleInvoice(), "Amount": money.MustNew(2999, "EUR"), "Link": sampleInvoiceLink}
	},
	"payment_failed":          func() Data { return Data{"Invoice": sampleInvoice(), "Link": sampleInvoiceLink} },
	"payment_action_required": func() Data { return Data{"Invoice": sampleInvoice(), "Link": sampleInvoiceLink} },
	"payment_reminder":        func() Data { return Data{"Invoice": sampleInvoice(), "Link": sampleInvoiceLink} },
	"payment_due":             func() Data { return Data{"Invoice": sampleInvoice(), "Link": sampleInvoiceLink} },
	"invoice_overdue":         func() Data { return Data{"Invoice": sampleInvoice(), "Link": sampleInvoiceLink} },
	"paypal_revision": func() Data {
		return Data{"Link": "https://www.paypal.com/webapps/billing/subscriptions?ba_token=BA-SAMPLE"}
	},
	"service_ready": func() Data {
		svc := sampleService()
		svc["Hostname"], svc["Addresses"], svc["PanelURL"] = "game.example.net", []string{"192.0.2.10", "2001:db8::10"}, "https://panel.example.net/server/1a2b3c4d"
		return Data{"Service": svc, "Link": samplePortal + "/services/svc123", "CredentialsEmailed": false}
	},
	"service_suspended": func() Data {
		return Data{"Services": []string{"game.example.net"}, "Reason": "unpaid invoice INV-2026-000042", "Link": sampleInvoiceLink}
	},
	"service_unsuspended": func() Data { return Data{"Services": []string{"game.example.net"}, "Link": samplePortal + "/services"} },
	"service_terminated": func() Data {
		return Data{"Services": []string{"game.example.net"}, "Reason": "cancelled at your request"}
	},
	"renewal_reminder": func() Data {
		return Data{"Service": sampleService(), "Amount": money.MustNew(2999, "EUR"), "RenewsAt": sampleTime.AddDate(0, 0, 7),
			"Link": samplePortal + "/services/svc123"}
	},
	"bandwidth_alert": func() Data {
		return Data{"Service": sampleService(), "Percent": 90, "Used": int64(900_000_000_000), "Quota": int64(1_000_000_000_000),
			"Link": samplePortal + "/services/svc123"}
	},
	"bandwidth_overage_charged": func() Data {
		return Data{"Service": sampleService(), "Over": int64(120_000_000_000), "Amount": money.MustNew(1200, "EUR"),
			"Invoice": sampleInvoice(), "Link": sampleInvoiceLink}
	},
	"ticket_reply": func() Data {
		return Data{"Ticket": Data{"Number": "4711", "Subject": "Server unreachable"}, "Reply": "We restarted the node; your server is back.",
			"Link": samplePortal + "/support/4711"}
	},
	"refund_issued": func() Data {
		return Data{"Invoice": sampleInvoice(), "Amount": money.MustNew(1000, "EUR"), "CreditNote": "CN-2026-000007", "Link": sampleInvoiceLink}
	},
	"order_declined": func() Data {
		return Data{"Plan": "Dedicated E3-1230", "Reason": "the server model is no longer available", "Link": samplePortal + "/order"}
	},
	"cancellation_confirmed": func() Data {
		return Data{"Service": sampleService(), "Immediate": false, "EndsAt": sampleTime.AddDate(0, 1, 0)}
	},
}

// staffNotices are the Discord notices, each with its severity and sample facts.
var staffNotices = map[string]struct {
	severity string
	sample   func() Data
}{
	"new_customer":     {"info", func() Data { return Data{"Country": "DE"} }},
	"new_order":        {"success", func() Data { return sampleOrder() }},
	"high_value_order": {"warning", func() Data { d := sampleOrder(); d["Threshold"] = money.MustNew(50000, "EUR"); return d }},
	"invoice_paid":     {"success", func() Data { return Data{"Invoice": sampleInvoice()} }},
	"payment_failed":   {"warning", func() Data { return Data{"Invoice": sampleInvoice(), "Reason": "card_declined"} }},
	"payment_credited": {"warning", func() Data {
		return Data{"Invoice": sampleInvoice(), "Amount": money.MustNew(2999, "EUR"), "Gateway": "stripe", "Payment": "pi_sample"}
	}},
	"refund_from_credit": {"warning", func() Data {
		return Data{"Invoice": sampleInvoice(), "Amount": money.MustNew(2999, "EUR"), "Refund": "re_sample", "Balance": money.MustNew(-1000, "EUR")}
	}},
	"dispute_opened": {"danger", func() Data {
		return Data{"Dispute": "du_sample", "Status": "needs_response", "Amount": money.MustNew(2999, "EUR")}
	}},
	"dispute_closed": {"info", func() Data {
		return Data{"Dispute": "du_sample", "Status": "won", "Amount": money.MustNew(2999, "EUR")}
	}},
	"service_suspended": {"warning", func() Data { return Data{"Services": []string{"game.example.net"}, "Reason": "overdue"} }},
	"cancellation": {"warning", func() Data {
		return Data{"Service": sampleService(), "When": "period_end", "Reason": "too_expensive", "Comment": "Found a cheaper host"}
	}},
	"provisioning_failed": {"danger", func() Data { return Data{"Action": "create", "Service": "svc123", "Error": "platform answered 422"} }},
	"provisioning_notice": {"warning", func() Data {
		return Data{"Action": "terminate", "Service": "svc123", "Platform": "pterodactyl",
			"Notice": "server 14 was force-deleted from the panel: its node did not answer"}
	}},
	"webhook_unmatched":    {"warning", func() Data { return Data{"Gateway": "stripe", "Event": "evt_sample", "Type": "charge.refunded"} }},
	"platform_unreachable": {"danger", func() Data { return Data{"Platform": "virtfusion", "Checks": 3} }},
	"paypal_second_subscription": {"danger", func() Data {
		return Data{"PayPal": "I-SECOND", "Linked": "I-FIRST", "Subscription": "sub_sample"}
	}},
	"paypal_subscription": {"warning", func() Data {
		return Data{"PayPal": "I-SAMPLE", "Subscription": "sub123", "Type": "BILLING.SUBSCRIPTION.CANCELLED"}
	}},
	"superuser_login_failed": {"danger", func() Data {
		return Data{"Email": "admin@example.com", "IP": "203.0.113.9", "Reason": "wrong email or password"}
	}},
	"superuser_new_ip": {"warning", func() Data { return Data{"Email": "admin@example.com", "IP": "203.0.113.9"} }},
	"bandwidth_run_failed": {"danger", func() Data {
		return Data{"Error": "traffic source: elasticsearch unavailable", "Services": 1200}
	}},
	"ticket_opened": {"info", func() Data {
		return Data{"Ticket": Data{"Number": "4711", "Subject": "Server unreachable", "Department": "Support", "Priority": "High"}}
	}},
	"bandwidth_address_conflict": {"warning", func() Data {
		return Data{"Address": "203.0.113.252", "Services": "svc123, svc456", "Since": "2026-12-01"}
	}},
	"job_missed_schedule": {"danger", func() Data {
		return Data{"Job": "billing", "Every": "24h0m0s", "LastRun": "2026-12-01T06:00:00Z"}
	}},
	"replication_broken": {"danger", func() Data { return Data{"Error": "s3: connection refused"} }},
	"backup_failed": {"danger", func() Data {
		return Data{"Backup": "pb_backup_20261201060000.zip", "Error": "s3: access denied"}
	}},
	"bandwidth_over_quota": {"warning", func() Data {
		return Data{"Service": sampleService(), "Used": int64(1_050_000_000_000), "Quota": int64(1_000_000_000_000), "Percent": 105}
	}},
}

// EmailKeys lists the customer email notices, sorted: the values of
// email_templates.key.
func EmailKeys() []string { return sortedKeys(emailNotices) }

// StaffKeys lists the Discord notices, sorted.
func StaffKeys() []string {
	keys := make([]string, 0, len(staffNotices))
	for k := range staffNotices {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// IsEmailKey says whether key is a customer email notice.
func IsEmailKey(key string) bool { return slices.Contains(EmailKeys(), key) }

// SampleData is the sample of an email notice, with a sample customer: what
// the preview shows.
func SampleData(key string) (Data, bool) {
	sample, ok := emailNotices[key]
	if !ok {
		return nil, false
	}
	d := sample()
	d["Customer"] = Data{"ID": "cus123", "Name": "Jane Doe", "Email": "jane@example.com", "Company": "Example GmbH"}
	return d, true
}

const (
	samplePortal      = "https://portal.example.com"
	sampleInvoiceLink = samplePortal + "/billing/invoices/inv123"
)

var sampleTime = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func sampleInvoice() Data {
	return Data{"ID": "inv123", "Number": "INV-2026-000042", "Total": money.MustNew(2999, "EUR"),
		"Due": money.MustNew(2999, "EUR"), "DueAt": sampleTime}
}

func sampleService() Data {
	return Data{"ID": "svc123", "Label": "game.example.net", "Plan": "Game Server 8 GB"}
}

func sampleOrder() Data {
	return Data{"Order": "ord123", "Plan": "Dedicated E-2388G", "Total": money.MustNew(18900, "EUR"), "Invoice": sampleInvoice()}
}

func sortedKeys(m map[string]func() Data) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// StaffSample is the sample of a Discord notice.
func StaffSample(key string) Data {
	n, ok := staffNotices[key]
	if !ok {
		return nil
	}
	return n.sample()
}
