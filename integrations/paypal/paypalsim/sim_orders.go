package paypalsim

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/ezscale/ezscale/billing/money"
)

// simOrder is an Orders v2 order with its one purchase unit.
type simOrder struct {
	ID, Status                       string // CREATED, APPROVED, COMPLETED
	ReferenceID, CustomID, InvoiceID string
	Description, SoftDescriptor      string
	Amount                           money.Amount
	ReturnURL, CancelURL             string
	CaptureID                        string
	Created, Updated                 time.Time
}

// simCapture is money taken by capturing an order.
type simCapture struct {
	ID, OrderID, Status string // COMPLETED, PARTIALLY_REFUNDED, REFUNDED
	CustomID, InvoiceID string
	Amount, Refunded    money.Amount
	RefundIDs           []string
	Created, Updated    time.Time
}

// simRefund is a refund of a capture (v2) or of a sale (v1).
type simRefund struct {
	ID                      string
	CaptureID, SaleID       string // one of them
	Amount, TotalRefunded   money.Amount
	InvoiceID, Note, Custom string // v2 invoice_id, note_to_payer, custom_id; v1 invoice_number, description, reason
	Created                 time.Time
}

// simPayer is the buyer every approval is made by.
var simPayer = obj{
	"name":          obj{"given_name": "Jane", "surname": "Doe"},
	"email_address": "buyer@example.com",
	"payer_id":      "2J6QB8YJQSJRJ",
	"address":       obj{"country_code": "US"},
}

func (s *Simulator) routeOrders() {
	s.route("POST /v2/checkout/orders", s.createOrder)
	s.route("GET /v2/checkout/orders/{id}", func(r *http.Request) (int, any, *simError) {
		o, ok := s.orders[r.PathValue("id")]
		if !ok {
			return 0, nil, notFound("")
		}
		return http.StatusOK, s.orderJSON(o, true), nil
	})
	s.route("POST /v2/checkout/orders/{id}/capture", s.captureOrder)
	s.route("GET /v2/payments/captures/{id}", func(r *http.Request) (int, any, *simError) {
		c, ok := s.captures[r.PathValue("id")]
		if !ok {
			return 0, nil, notFound("")
		}
		return http.StatusOK, s.captureJSON(c), nil
	})
	s.route("POST /v2/payments/captures/{id}/refund", s.refundCapture)
	s.route("GET /v2/payments/refunds/{id}", func(r *http.Request) (int, any, *simError) {
		ref, ok := s.refunds[r.PathValue("id")]
		if !ok || ref.CaptureID == "" {
			return 0, nil, notFound("")
		}
		return http.StatusOK, s.captureRefundJSON(ref, true), nil
	})
}

func (s *Simulator) createOrder(r *http.Request) (int, any, *simError) {
	var req struct {
		Intent        string `json:"intent"`
		PurchaseUnits []struct {
			ReferenceID    string    `json:"reference_id"`
			Description    string    `json:"description"`
			CustomID       string    `json:"custom_id"`
			InvoiceID      string    `json:"invoice_id"`
			SoftDescriptor string    `json:"soft_descriptor"`
			Amount         *simMoney `json:"amount"`
		} `json:"purchase_units"`
		ApplicationContext *struct {
			ReturnURL string `json:"return_url"`
			CancelURL string `json:"cancel_url"`
		} `json:"application_context"`
	}
	if err := decodeBody(r, &req); err != nil {
		return 0, nil, err
	}
	switch {
	case req.Intent == "":
		return 0, nil, missing("/intent")
	case req.Intent != "CAPTURE":
		return 0, nil, invalidRequest("/intent", "INVALID_PARAMETER_VALUE", "The simulator supports intent CAPTURE only.")
	case len(req.PurchaseUnits) == 0:
		return 0, nil, missing("/purchase_units")
	case len(req.PurchaseUnits) > 1:
		return 0, nil, invalidRequest("/purchase_units", "INVALID_PARAMETER_VALUE", "The simulator supports one purchase unit.")
	}
	pu := req.PurchaseUnits[0]
	if pu.Amount == nil {
		return 0, nil, missing("/purchase_units/@reference_id=='default'/amount")
	}
	amount, err := parseMoney("/purchase_units/@reference_id=='default'/amount", pu.Amount.CurrencyCode, pu.Amount.Value)
	if err != nil {
		return 0, nil, err
	}
	if err := positive(amount); err != nil {
		return 0, nil, err
	}
	for field, v := range map[string]string{"custom_id": pu.CustomID, "invoice_id": pu.InvoiceID, "description": pu.Description} {
		if len(v) > 127 {
			return 0, nil, tooLong("/purchase_units/@reference_id=='default'/"+field, 127)
		}
	}
	now := time.Now()
	o := &simOrder{
		ID: newID("", 17), Status: "CREATED",
		ReferenceID: pu.ReferenceID, CustomID: pu.CustomID, InvoiceID: pu.InvoiceID,
		Description: pu.Description, SoftDescriptor: pu.SoftDescriptor, Amount: amount,
		Created: now, Updated: now,
	}
	if o.ReferenceID == "" {
		o.ReferenceID = "default"
	}
	if ac := req.ApplicationContext; ac != nil {
		o.ReturnURL, o.CancelURL = ac.ReturnURL, ac.CancelURL
	}
	s.orders[o.ID] = o
	return http.StatusCreated, s.orderJSON(o, wantsRepresentation(r)), nil
}

// approveOrder is the buyer approving an order on PayPal's page.
func (s *Simulator) approveOrder(id string) (*simOrder, error) {
	o, ok := s.orders[id]
	if !ok {
		return nil, errUnknown("order", id)
	}
	if o.Status != "CREATED" {
		return nil, errState("order", id, o.Status)
	}
	o.Status, o.Updated = "APPROVED", time.Now()
	s.notify("CHECKOUT.ORDER.APPROVED", s.orderJSON(o, true))
	return o, nil
}

func (s *Simulator) captureOrder(r *http.Request) (int, any, *simError) {
	o, ok := s.orders[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("")
	}
	var req struct{} // plutov sends {"payment_source": null}, which is fine
	if err := decodeBody(r, &req); err != nil {
		return 0, nil, err
	}
	switch o.Status {
	case "CREATED":
		return 0, nil, unprocessable("ORDER_NOT_APPROVED", "Payer has not yet approved the Order for payment. Please redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call or provide a valid payment_source in the request.")
	case "COMPLETED":
		return 0, nil, unprocessable("ORDER_ALREADY_CAPTURED", "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.")
	}
	now := time.Now()
	c := &simCapture{
		ID: newID("", 17), OrderID: o.ID, Status: "COMPLETED",
		CustomID: o.CustomID, InvoiceID: o.InvoiceID,
		Amount: o.Amount, Refunded: money.Amount{Currency: o.Amount.Currency},
		Created: now, Updated: now,
	}
	s.captures[c.ID] = c
	o.Status, o.CaptureID, o.Updated = "COMPLETED", c.ID, now
	s.notify("PAYMENT.CAPTURE.COMPLETED", s.captureJSON(c))
	return http.StatusCreated, obj{
		"id":     o.ID,
		"status": o.Status,
		"payer":  simPayer,
		"purchase_units": []obj{{
			"reference_id": o.ReferenceID,
			"payments":     obj{"captures": []obj{s.captureJSON(c)}},
		}},
		"links": []obj{s.link("/v2/checkout/orders/"+o.ID, "self", "GET")},
	}, nil
}

func (s *Simulator) refundCapture(r *http.Request) (int, any, *simError) {
	c, ok := s.captures[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("")
	}
	var req struct {
		Amount      *simMoney `json:"amount"`
		InvoiceID   string    `json:"invoice_id"`
		NoteToPayer string    `json:"note_to_payer"`
		CustomID    string    `json:"custom_id"`
	}
	if err := decodeBody(r, &req); err != nil {
		return 0, nil, err
	}
	switch {
	case len(req.InvoiceID) > 127:
		return 0, nil, tooLong("/invoice_id", 127)
	case len(req.NoteToPayer) > 255:
		return 0, nil, tooLong("/note_to_payer", 255)
	case len(req.CustomID) > 127:
		return 0, nil, tooLong("/custom_id", 127)
	}
	remaining := mustSub(c.Amount, c.Refunded)
	if remaining.IsZero() {
		return 0, nil, unprocessable("CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded.")
	}
	amount := remaining // no amount: whatever is left
	if req.Amount != nil {
		a, err := parseMoney("/amount", req.Amount.CurrencyCode, req.Amount.Value)
		if err != nil {
			return 0, nil, err
		}
		if a.Currency != c.Amount.Currency {
			return 0, nil, unprocessable("REFUND_CAPTURE_CURRENCY_MISMATCH", "Refund must be in the same currency as the capture.")
		}
		if err := positive(a); err != nil {
			return 0, nil, err
		}
		if cmp, _ := a.Cmp(remaining); cmp > 0 {
			return 0, nil, unprocessable("REFUND_AMOUNT_EXCEEDED", "The refund amount must be less than or equal to the capture amount that has not yet been refunded.")
		}
		amount = a
	}
	if req.InvoiceID != "" && slices.ContainsFunc(c.RefundIDs, func(id string) bool { return s.refunds[id].InvoiceID == req.InvoiceID }) {
		return 0, nil, unprocessable("DUPLICATE_INVOICE_ID", "Requested invoice number has been previously captured. Possible duplicate transaction.")
	}

	now := time.Now()
	c.Refunded = mustAdd(c.Refunded, amount)
	c.Status, c.Updated = "PARTIALLY_REFUNDED", now
	if c.Refunded == c.Amount {
		c.Status = "REFUNDED"
	}
	ref := &simRefund{
		ID: newID("", 17), CaptureID: c.ID, Amount: amount, TotalRefunded: c.Refunded,
		InvoiceID: req.InvoiceID, Note: req.NoteToPayer, Custom: req.CustomID, Created: now,
	}
	s.refunds[ref.ID] = ref
	c.RefundIDs = append(c.RefundIDs, ref.ID)
	s.notify("PAYMENT.CAPTURE.REFUNDED", s.captureRefundJSON(ref, true))
	return http.StatusCreated, s.captureRefundJSON(ref, wantsRepresentation(r)), nil
}

func (s *Simulator) orderJSON(o *simOrder, full bool) obj {
	links := []obj{s.link("/v2/checkout/orders/"+o.ID, "self", "GET")}
	switch o.Status {
	case "CREATED":
		links = append(links,
			obj{"href": s.base + "/checkoutnow?token=" + o.ID, "rel": "approve", "method": "GET"},
			s.link("/v2/checkout/orders/"+o.ID, "update", "PATCH"),
			s.link("/v2/checkout/orders/"+o.ID+"/capture", "capture", "POST"))
	case "APPROVED":
		links = append(links,
			s.link("/v2/checkout/orders/"+o.ID, "update", "PATCH"),
			s.link("/v2/checkout/orders/"+o.ID+"/capture", "capture", "POST"))
	}
	out := obj{"id": o.ID, "status": o.Status, "links": links}
	if !full {
		return out
	}
	pu := obj{"reference_id": o.ReferenceID, "amount": v2Money(o.Amount)}
	for k, v := range map[string]string{"custom_id": o.CustomID, "invoice_id": o.InvoiceID, "description": o.Description, "soft_descriptor": o.SoftDescriptor} {
		if v != "" {
			pu[k] = v
		}
	}
	if c, ok := s.captures[o.CaptureID]; ok {
		pu["payments"] = obj{"captures": []obj{s.captureJSON(c)}}
	}
	out["intent"] = "CAPTURE"
	out["purchase_units"] = []obj{pu}
	out["create_time"] = timestamp(o.Created)
	out["update_time"] = timestamp(o.Updated)
	if o.Status != "CREATED" {
		out["payer"] = simPayer
	}
	return out
}

func (s *Simulator) captureJSON(c *simCapture) obj {
	f := fee(c.Amount)
	out := obj{
		"id": c.ID, "status": c.Status, "amount": v2Money(c.Amount), "final_capture": true,
		"seller_protection": obj{"status": "ELIGIBLE", "dispute_categories": []string{"ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"}},
		"seller_receivable_breakdown": obj{
			"gross_amount": v2Money(c.Amount), "paypal_fee": v2Money(f), "net_amount": v2Money(mustSub(c.Amount, f)),
		},
		"supplementary_data": obj{"related_ids": obj{"order_id": c.OrderID}},
		"create_time":        timestamp(c.Created),
		"update_time":        timestamp(c.Updated),
		"links": []obj{
			s.link("/v2/payments/captures/"+c.ID, "self", "GET"),
			s.link("/v2/payments/captures/"+c.ID+"/refund", "refund", "POST"),
			s.link("/v2/checkout/orders/"+c.OrderID, "up", "GET"),
		},
	}
	if c.CustomID != "" {
		out["custom_id"] = c.CustomID
	}
	if c.InvoiceID != "" {
		out["invoice_id"] = c.InvoiceID
	}
	return out
}

func (s *Simulator) captureRefundJSON(ref *simRefund, full bool) obj {
	out := obj{
		"id": ref.ID, "status": "COMPLETED",
		"links": []obj{
			s.link("/v2/payments/refunds/"+ref.ID, "self", "GET"),
			s.link("/v2/payments/captures/"+ref.CaptureID, "up", "GET"),
		},
	}
	if !full {
		return out
	}
	out["amount"] = v2Money(ref.Amount)
	zero := money.Amount{Currency: ref.Amount.Currency}
	out["seller_payable_breakdown"] = obj{
		"gross_amount": v2Money(ref.Amount), "paypal_fee": v2Money(zero),
		"net_amount": v2Money(ref.Amount), "total_refunded_amount": v2Money(ref.TotalRefunded),
	}
	for k, v := range map[string]string{"invoice_id": ref.InvoiceID, "note_to_payer": ref.Note, "custom_id": ref.Custom} {
		if v != "" {
			out[k] = v
		}
	}
	out["create_time"] = timestamp(ref.Created)
	out["update_time"] = timestamp(ref.Created)
	return out
}

// serveBuyer is PayPal's approval pages for a browser: approving redirects
// to the merchant's return URL with the query PayPal adds.
func (s *Simulator) serveBuyer(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	var back url.Values
	var returnURL string
	var err error
	switch r.URL.Path {
	case "/checkoutnow":
		var o *simOrder
		if o, err = s.approveOrder(q.Get("token")); err == nil {
			returnURL, back = o.ReturnURL, url.Values{"token": {o.ID}, "PayerID": {simPayer["payer_id"].(string)}}
		}
	case "/webapps/billing/subscriptions", "/webapps/billing/subscriptions/update":
		var sub *simSub
		if sub, err = s.subscriptionByToken(q.Get("ba_token")); err == nil {
			returnURL = sub.ReturnURL
			if sub.Revision != nil {
				returnURL = sub.Revision.ReturnURL
			}
			back = url.Values{"subscription_id": {sub.ID}, "ba_token": {q.Get("ba_token")}, "token": {q.Get("ba_token")}}
			_, err = s.approveSubscription(sub.ID)
		}
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	if returnURL == "" {
		_, _ = w.Write([]byte("Approved. You can close this window.\n"))
		return
	}
	u, perr := url.Parse(returnURL)
	if perr != nil {
		http.Error(w, perr.Error(), http.StatusBadRequest)
		return
	}
	merged := u.Query()
	for k, v := range back {
		merged[k] = v
	}
	u.RawQuery = merged.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}
