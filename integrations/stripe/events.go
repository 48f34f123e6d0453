package stripe

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ezscale/ezscale/billing/money"
)

// Event is a verified webhook event, read for the fields the platform acts
// on. Which fields are set depends on Type; events of other types carry
// only ID and Type. The objects are decoded into small local structs rather
// than stripe-go's, so an event rendered in another API version still reads.
type Event struct {
	ID   string // evt_…
	Type string

	// PaymentIntentID is set for payment_intent.*, charge.refunded and
	// charge.dispute.*: the payment the event is about.
	PaymentIntentID string
	// InvoiceID and CustomerID are our ids from the object's metadata:
	// payment_intent.*, and charge.refunded when the charge carries them.
	InvoiceID  string
	CustomerID string
	// Amount is the PaymentIntent's amount (payment_intent.*), the charge's
	// (charge.refunded) or the disputed amount (charge.dispute.*).
	Amount money.Amount
	// Status is the PaymentIntent's or the dispute's status.
	Status string
	// FailureCode and FailureMessage say why a payment_intent.* attempt
	// failed (last_payment_error): the decline code, else the error code.
	FailureCode    string
	FailureMessage string
	// AmountRefunded (charge.refunded) is the charge's refunded total so
	// far, not this refund alone.
	AmountRefunded money.Amount
	// DisputeID (charge.dispute.*) is the dispute's du_… id.
	DisputeID string
	// StripeCustomerID (setup_intent.succeeded) is the cus_… that saved
	// PaymentMethodID; PaymentMethodID is also set for payment_method.detached.
	StripeCustomerID string
	PaymentMethodID  string
}

// ParseEvent reads a webhook body; call it only on a body VerifyWebhook
// accepted.
func ParseEvent(body []byte) (Event, error) {
	var raw struct {
		ID     string `json:"id"`
		Object string `json:"object"`
		Type   string `json:"type"`
		Data   struct {
			Object json.RawMessage `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return Event{}, fmt.Errorf("stripe event: %w", err)
	}
	if raw.Object != "event" || raw.ID == "" || raw.Type == "" {
		return Event{}, errors.New("stripe event: not an event with an id and a type")
	}
	ev := Event{ID: raw.ID, Type: raw.Type}
	obj := raw.Data.Object
	var err error
	switch {
	case strings.HasPrefix(ev.Type, "payment_intent."):
		err = ev.readPaymentIntent(obj)
	case ev.Type == "charge.refunded":
		err = ev.readRefundedCharge(obj)
	case strings.HasPrefix(ev.Type, "charge.dispute."):
		err = ev.readDispute(obj)
	case ev.Type == "setup_intent.succeeded":
		err = ev.readSetupIntent(obj)
	case ev.Type == "payment_method.detached":
		err = ev.readPaymentMethod(obj)
	}
	if err != nil {
		return Event{}, fmt.Errorf("stripe event %s (%s): %w", ev.ID, ev.Type, err)
	}
	return ev, nil
}

func (ev *Event) readPaymentIntent(obj json.RawMessage) error {
	var pi struct {
		ID               string            `json:"id"`
		Amount           int64             `json:"amount"`
		Currency         string            `json:"currency"`
		Status           string            `json:"status"`
		Metadata         map[string]string `json:"metadata"`
		LastPaymentError *struct {
			Code        string `json:"code"`
			DeclineCode string `json:"decline_code"`
			Message     string `json:"message"`
		} `json:"last_payment_error"`
	}
	if err := json.Unmarshal(obj, &pi); err != nil {
		return err
	}
	amount, err := fromStripe(pi.Amount, pi.Currency)
	if err != nil {
		return err
	}
	ev.PaymentIntentID, ev.Amount, ev.Status = pi.ID, amount, pi.Status
	ev.InvoiceID, ev.CustomerID = pi.Metadata["invoice_id"], pi.Metadata["customer_id"]
	if e := pi.LastPaymentError; e != nil {
		ev.FailureCode, ev.FailureMessage = e.DeclineCode, e.Message
		if ev.FailureCode == "" {
			ev.FailureCode = e.Code
		}
	}
	return nil
}

func (ev *Event) readRefundedCharge(obj json.RawMessage) error {
	var ch struct {
		Amount         int64             `json:"amount"`
		AmountRefunded int64             `json:"amount_refunded"`
		Currency       string            `json:"currency"`
		PaymentIntent  string            `json:"payment_intent"`
		Metadata       map[string]string `json:"metadata"`
	}
	if err := json.Unmarshal(obj, &ch); err != nil {
		return err
	}
	amount, err := fromStripe(ch.Amount, ch.Currency)
	if err != nil {
		return err
	}
	refunded, err := fromStripe(ch.AmountRefunded, ch.Currency)
	if err != nil {
		return err
	}
	ev.PaymentIntentID, ev.Amount, ev.AmountRefunded = ch.PaymentIntent, amount, refunded
	ev.InvoiceID, ev.CustomerID = ch.Metadata["invoice_id"], ch.Metadata["customer_id"]
	return nil
}

func (ev *Event) readDispute(obj json.RawMessage) error {
	var du struct {
		ID            string `json:"id"`
		Amount        int64  `json:"amount"`
		Currency      string `json:"currency"`
		PaymentIntent string `json:"payment_intent"`
		Status        string `json:"status"`
	}
	if err := json.Unmarshal(obj, &du); err != nil {
		return err
	}
	amount, err := fromStripe(du.Amount, du.Currency)
	if err != nil {
		return err
	}
	ev.DisputeID, ev.PaymentIntentID, ev.Amount, ev.Status = du.ID, du.PaymentIntent, amount, du.Status
	return nil
}

func (ev *Event) readSetupIntent(obj json.RawMessage) error {
	var si struct {
		Customer      string `json:"customer"`
		PaymentMethod string `json:"payment_method"`
	}
	if err := json.Unmarshal(obj, &si); err != nil {
		return err
	}
	ev.StripeCustomerID, ev.PaymentMethodID = si.Customer, si.PaymentMethod
	return nil
}

func (ev *Event) readPaymentMethod(obj json.RawMessage) error {
	var pm struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(obj, &pm); err != nil {
		return err
	}
	ev.PaymentMethodID = pm.ID
	return nil
}
