package payments

import (
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Kind says whether a payment takes money in or gives it back.
type Kind string

// Payment kinds.
const (
	KindCharge Kind = "charge"
	KindRefund Kind = "refund"
)

// Status is where a payment stands (payments.status).
type Status string

// Payment statuses.
const (
	StatusPending   Status = "pending"
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
	// StatusRequiresAction: the card wants the customer (3-D Secure).
	StatusRequiresAction Status = "requires_action"
)

// Payment is a typed view of a payments record.
type Payment struct {
	core.BaseRecordProxy
}

// AsPayment wraps a payments record.
func AsPayment(rec *core.Record) *Payment {
	p := &Payment{}
	p.SetProxyRecord(rec)
	return p
}

// FindPayment loads a payment by id.
func FindPayment(app core.App, id string) (*Payment, error) {
	rec, err := app.FindRecordById(Collection, id)
	if err != nil {
		return nil, err
	}
	return AsPayment(rec), nil
}

func (p *Payment) Status() Status               { return Status(p.GetString("status")) }
func (p *Payment) SetStatus(s Status)           { p.Set("status", string(s)) }
func (p *Payment) Kind() Kind                   { return Kind(p.GetString("kind")) }
func (p *Payment) Gateway() string              { return p.GetString("gateway") }
func (p *Payment) GatewayID() string            { return p.GetString("gateway_id") }
func (p *Payment) CustomerID() string           { return p.GetString("customer") }
func (p *Payment) InvoiceID() string            { return p.GetString("invoice") }
func (p *Payment) PaymentMethodID() string      { return p.GetString("payment_method") }
func (p *Payment) RefundOfID() string           { return p.GetString("refund_of") }
func (p *Payment) Amount() int64                { return p.GetInt64("amount") }
func (p *Payment) Currency() string             { return p.GetString("currency") }
func (p *Payment) Fee() int64                   { return p.GetInt64("fee") }
func (p *Payment) FailureCode() string          { return p.GetString("failure_code") }
func (p *Payment) FailureMessage() string       { return p.GetString("failure_message") }
func (p *Payment) Reason() string               { return p.GetString("reason") }
func (p *Payment) Attempt() int                 { return p.GetInt("attempt") }
func (p *Payment) PaidAt() types.DateTime       { return p.GetDateTime("paid_at") }
func (p *Payment) SetPaymentMethodID(id string) { p.Set("payment_method", id) }
func (p *Payment) SetGatewayID(id string)       { p.Set("gateway_id", id) }
func (p *Payment) SetFailureMessage(m string)   { p.Set("failure_message", m) }
func (p *Payment) SetFailureCode(c string)      { p.Set("failure_code", c) }
func (p *Payment) SetPaidAt(t time.Time)        { p.Set("paid_at", t) }
func (p *Payment) Created() types.DateTime      { return p.GetDateTime("created") }
func (p *Payment) Updated() types.DateTime      { return p.GetDateTime("updated") }
