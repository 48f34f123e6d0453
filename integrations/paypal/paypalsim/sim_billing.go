package paypalsim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/ezscale/billing/money"
)

type simProduct struct {
	ID, Name, Description, Type, Category, ImageURL, HomeURL string
	Created                                                  time.Time
	seq                                                      int
}

type simPlan struct {
	ID, ProductID, Name, Description, Status string // CREATED, ACTIVE, INACTIVE
	Currency                                 string
	Cycles                                   []*simCycle // by sequence
	AutoBill                                 bool
	SetupFee                                 money.Amount
	SetupFeeFailureAction                    string
	FailureThreshold                         int
	Taxes                                    obj
	QuantitySupported                        bool
	Created, Updated                         time.Time
	seq                                      int
}

type simCycle struct {
	Unit, Tenure                 string
	Count, Sequence, TotalCycles int
	Price                        *money.Amount // nil for a free trial
	Version                      int
	PriceCreated, PriceUpdated   time.Time
}

// cycleAt returns the cycle that bills the (n+1)-th time, or nil once every
// cycle of a finite plan has run.
func (p *simPlan) cycleAt(n int) *simCycle {
	for _, c := range p.Cycles {
		if c.TotalCycles == 0 || n < c.TotalCycles {
			return c
		}
		n -= c.TotalCycles
	}
	return nil
}

type simSub struct {
	ID, PlanID, Status, CustomID, Quantity string // APPROVAL_PENDING, ACTIVE, SUSPENDED, CANCELLED
	StatusNote                             string
	Email, GivenName, Surname              string
	ReturnURL, CancelURL, BAToken          string
	Approved                               bool
	Start, Created, Updated, StatusUpdated time.Time
	Outstanding                            money.Amount
	FailedPayments, CyclesCompleted        int
	LastPayment                            *simPayment
	LastFailed                             *simFailure
	NextBilling                            time.Time
	Revision                               *simRevision
	SaleIDs                                []string
	Declined                               []simPayment
}

type simPayment struct {
	ID     string
	Amount money.Amount
	Time   time.Time
}

type simFailure struct {
	Amount      money.Amount
	Time, Retry time.Time
	Reason      string
}

// simRevision is a plan change waiting for the buyer's consent.
type simRevision struct {
	PlanID, BAToken, ReturnURL string
}

// simSale is a subscription payment, refunded through Payments v1.
type simSale struct {
	ID, SubscriptionID, CustomID, State string // completed, partially_refunded, refunded
	Amount, Refunded                    money.Amount
	RefundIDs                           []string
	Created, Updated                    time.Time
}

// CompleteSale makes a subscription's recurring payment happen: it records
// a sale of amount and returns the PAYMENT.SALE.COMPLETED delivery.
func (s *Simulator) CompleteSale(subscriptionID string, amount money.Amount) (Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.subs[subscriptionID]
	if !ok {
		return Delivery{}, errUnknown("subscription", subscriptionID)
	}
	if sub.Status != "ACTIVE" {
		return Delivery{}, errState("subscription", subscriptionID, sub.Status)
	}
	if plan := s.plans[sub.PlanID]; amount.Currency != plan.Currency || amount.Minor <= 0 {
		return Delivery{}, fmt.Errorf("paypal simulator: sale of %s on a %s plan", amount, plan.Currency)
	}
	if _, err := formatAmount(amount); err != nil {
		return Delivery{}, err
	}
	return s.recordSale(sub, amount, true), nil
}

// FailPayment makes a subscription's recurring payment fail with a PayPal
// reason code (PAYMENT_DENIED when empty): the amount becomes outstanding,
// BILLING.SUBSCRIPTION.PAYMENT.FAILED is emitted and returned, and at the
// plan's failure threshold the subscription is suspended.
func (s *Simulator) FailPayment(subscriptionID, reason string) (Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.subs[subscriptionID]
	if !ok {
		return Delivery{}, errUnknown("subscription", subscriptionID)
	}
	if sub.Status != "ACTIVE" {
		return Delivery{}, errState("subscription", subscriptionID, sub.Status)
	}
	plan := s.plans[sub.PlanID]
	c := plan.cycleAt(sub.CyclesCompleted)
	if c == nil || c.Price == nil {
		return Delivery{}, fmt.Errorf("paypal simulator: subscription %s has nothing to charge", subscriptionID)
	}
	if reason == "" {
		reason = "PAYMENT_DENIED"
	}
	now := time.Now()
	sub.Outstanding = mustAdd(sub.Outstanding, *c.Price)
	sub.FailedPayments++
	sub.LastFailed = &simFailure{Amount: *c.Price, Time: now, Retry: now.AddDate(0, 0, 5), Reason: reason}
	sub.Declined = append(sub.Declined, simPayment{ID: newID("", 17), Amount: *c.Price, Time: now})
	sub.Updated = now
	d := s.notify("BILLING.SUBSCRIPTION.PAYMENT.FAILED", s.subJSON(sub, true))
	if plan.FailureThreshold > 0 && sub.FailedPayments >= plan.FailureThreshold {
		sub.Status, sub.StatusUpdated, sub.StatusNote = "SUSPENDED", now, "Payment failure threshold reached"
		s.notify("BILLING.SUBSCRIPTION.SUSPENDED", s.subJSON(sub, false))
	}
	return d, nil
}

// SubscriptionStatus returns a subscription's status and current plan.
func (s *Simulator) SubscriptionStatus(id string) (status, planID string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.subs[id]
	if !ok {
		return "", "", errUnknown("subscription", id)
	}
	return sub.Status, sub.PlanID, nil
}

// approveSubscription is the buyer on PayPal's page: approving a new
// subscription activates it and, unless it starts later, charges the first
// cycle (and any setup fee) as PayPal does; approving a revision switches
// the plan.
func (s *Simulator) approveSubscription(id string) (*simSub, error) {
	sub, ok := s.subs[id]
	if !ok {
		return nil, errUnknown("subscription", id)
	}
	now := time.Now()
	switch {
	case sub.Status == "APPROVAL_PENDING":
		sub.Status, sub.Approved, sub.StatusUpdated, sub.Updated = "ACTIVE", true, now, now
		sub.NextBilling = sub.Start
		s.notify("BILLING.SUBSCRIPTION.ACTIVATED", s.subJSON(sub, false))
		if sub.Start.After(now) {
			return sub, nil
		}
		plan := s.plans[sub.PlanID]
		if plan.SetupFee.Minor > 0 {
			s.recordSale(sub, plan.SetupFee, false)
		}
		if c := plan.cycleAt(0); c.Price != nil {
			s.recordSale(sub, *c.Price, true)
		} else {
			s.advance(sub, plan)
		}
	case sub.Revision != nil:
		sub.PlanID, sub.Revision, sub.Updated = sub.Revision.PlanID, nil, now
		s.notify("BILLING.SUBSCRIPTION.UPDATED", s.subJSON(sub, false))
	default:
		return nil, errState("subscription", id, sub.Status)
	}
	return sub, nil
}

func (s *Simulator) subscriptionByToken(token string) (*simSub, error) {
	for _, sub := range s.subs {
		if token != "" && (sub.BAToken == token || (sub.Revision != nil && sub.Revision.BAToken == token)) {
			return sub, nil
		}
	}
	return nil, errUnknown("approval token", token)
}

// recordSale books a completed payment on a subscription and emits
// PAYMENT.SALE.COMPLETED; a cycle payment also moves the billing date on.
func (s *Simulator) recordSale(sub *simSub, amount money.Amount, cycle bool) Delivery {
	now := time.Now()
	sale := &simSale{
		ID: newID("", 17), SubscriptionID: sub.ID, CustomID: sub.CustomID, State: "completed",
		Amount: amount, Refunded: money.Amount{Currency: amount.Currency}, Created: now, Updated: now,
	}
	s.sales[sale.ID] = sale
	sub.SaleIDs = append(sub.SaleIDs, sale.ID)
	sub.LastPayment = &simPayment{ID: sale.ID, Amount: amount, Time: now}
	sub.Updated = now
	if cycle {
		sub.FailedPayments = 0
		s.advance(sub, s.plans[sub.PlanID])
	}
	return s.notify("PAYMENT.SALE.COMPLETED", s.saleJSON(sale))
}

// advance counts one billed cycle and moves next_billing_time on by it.
func (s *Simulator) advance(sub *simSub, plan *simPlan) {
	c := plan.cycleAt(sub.CyclesCompleted)
	sub.CyclesCompleted++
	if c == nil {
		return
	}
	switch c.Unit {
	case "DAY":
		sub.NextBilling = sub.NextBilling.AddDate(0, 0, c.Count)
	case "WEEK":
		sub.NextBilling = sub.NextBilling.AddDate(0, 0, 7*c.Count)
	case "MONTH":
		sub.NextBilling = sub.NextBilling.AddDate(0, c.Count, 0)
	case "YEAR":
		sub.NextBilling = sub.NextBilling.AddDate(c.Count, 0, 0)
	}
}

func (s *Simulator) routeBilling() {
	s.route("POST /v1/catalogs/products", s.createProduct)
	s.route("GET /v1/catalogs/products/{id}", func(r *http.Request) (int, any, *simError) {
		p, ok := s.products[r.PathValue("id")]
		if !ok {
			return 0, nil, notFound("")
		}
		return http.StatusOK, s.productJSON(p, true), nil
	})
	s.route("GET /v1/catalogs/products", s.listProducts)

	s.route("POST /v1/billing/plans", s.createPlan)
	s.route("GET /v1/billing/plans/{id}", func(r *http.Request) (int, any, *simError) {
		p, ok := s.plans[r.PathValue("id")]
		if !ok {
			return 0, nil, notFound("")
		}
		return http.StatusOK, s.planJSON(p, true), nil
	})
	s.route("GET /v1/billing/plans", s.listPlans)
	s.route("POST /v1/billing/plans/{id}/activate", s.planStatus("ACTIVE", "CREATED", "INACTIVE"))
	s.route("POST /v1/billing/plans/{id}/deactivate", s.planStatus("INACTIVE", "ACTIVE"))
	s.route("POST /v1/billing/plans/{id}/update-pricing-schemes", s.updatePricing)

	s.route("POST /v1/billing/subscriptions", s.createSubscription)
	s.route("GET /v1/billing/subscriptions/{id}", func(r *http.Request) (int, any, *simError) {
		sub, ok := s.subs[r.PathValue("id")]
		if !ok {
			return 0, nil, notFound("")
		}
		return http.StatusOK, s.subJSON(sub, strings.Contains(r.URL.Query().Get("fields"), "last_failed_payment")), nil
	})
	s.route("POST /v1/billing/subscriptions/{id}/revise", s.reviseSubscription)
	s.route("POST /v1/billing/subscriptions/{id}/suspend", s.subTransition("SUSPENDED", true, "ACTIVE"))
	s.route("POST /v1/billing/subscriptions/{id}/activate", s.subTransition("ACTIVE", false, "SUSPENDED"))
	s.route("POST /v1/billing/subscriptions/{id}/cancel", s.subTransition("CANCELLED", true, "ACTIVE", "SUSPENDED"))
	s.route("POST /v1/billing/subscriptions/{id}/capture", s.captureOutstanding)
	s.route("GET /v1/billing/subscriptions/{id}/transactions", s.listTransactions)

	s.route("GET /v1/payments/sale/{id}", func(r *http.Request) (int, any, *simError) {
		sale, ok := s.sales[r.PathValue("id")]
		if !ok {
			return 0, nil, v1Error(http.StatusNotFound, "INVALID_RESOURCE_ID", "Requested resource ID was not found.")
		}
		return http.StatusOK, s.saleJSON(sale), nil
	})
	s.route("POST /v1/payments/sale/{id}/refund", s.refundSale)
	s.route("GET /v1/payments/refund/{id}", func(r *http.Request) (int, any, *simError) {
		ref, ok := s.refunds[r.PathValue("id")]
		if !ok || ref.SaleID == "" {
			return 0, nil, v1Error(http.StatusNotFound, "INVALID_RESOURCE_ID", "Requested resource ID was not found.")
		}
		return http.StatusOK, s.saleRefundJSON(ref), nil
	})
}

func (s *Simulator) createProduct(r *http.Request) (int, any, *simError) {
	var req struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Type        string `json:"type"`
		Category    string `json:"category"`
		ImageURL    string `json:"image_url"`
		HomeURL     string `json:"home_url"`
	}
	if err := decodeBody(r, &req); err != nil {
		return 0, nil, err
	}
	switch {
	case req.Name == "":
		return 0, nil, missing("/name")
	case len(req.Name) > 127:
		return 0, nil, tooLong("/name", 127)
	case len(req.Description) > 256:
		return 0, nil, tooLong("/description", 256)
	case req.Type == "":
		return 0, nil, missing("/type")
	case !slices.Contains([]string{"PHYSICAL", "DIGITAL", "SERVICE"}, req.Type):
		return 0, nil, invalidRequest("/type", "INVALID_PARAMETER_VALUE", "The value of a field is invalid.")
	case req.ID != "" && (len(req.ID) < 6 || len(req.ID) > 50):
		return 0, nil, invalidRequest("/id", "INVALID_PARAMETER_SYNTAX", "The id must be 6 to 50 characters long.")
	}
	if _, dup := s.products[req.ID]; dup {
		return 0, nil, unprocessable("DUPLICATE_RESOURCE_IDENTIFIER", "The value of a field is not unique.")
	}
	s.seq++
	p := &simProduct{ID: req.ID, Name: req.Name, Description: req.Description, Type: req.Type,
		Category: req.Category, ImageURL: req.ImageURL, HomeURL: req.HomeURL, Created: time.Now(), seq: s.seq}
	if p.ID == "" {
		p.ID = newID("PROD-", 17)
	}
	s.products[p.ID] = p
	return http.StatusCreated, s.productJSON(p, true), nil
}

func (s *Simulator) productJSON(p *simProduct, full bool) obj {
	self := "/v1/catalogs/products/" + p.ID
	out := obj{"id": p.ID, "name": p.Name, "create_time": timestamp(p.Created)}
	if p.Description != "" {
		out["description"] = p.Description
	}
	if !full {
		out["links"] = []obj{s.link(self, "self", "GET")}
		return out
	}
	out["type"] = p.Type
	for k, v := range map[string]string{"category": p.Category, "image_url": p.ImageURL, "home_url": p.HomeURL} {
		if v != "" {
			out[k] = v
		}
	}
	out["update_time"] = timestamp(p.Created)
	out["links"] = []obj{s.link(self, "self", "GET"), s.link(self, "edit", "PATCH")}
	return out
}

func (s *Simulator) listProducts(r *http.Request) (int, any, *simError) {
	page, err := pageOf(r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	all := sortedBySeq(s.products, func(p *simProduct) int { return p.seq })
	items := []obj{}
	for _, p := range page.slice(len(all)) {
		items = append(items, s.productJSON(all[p], false))
	}
	return http.StatusOK, page.wrap("products", items, len(all), s.link(r.URL.RequestURI(), "self", "GET")), nil
}

// listPage is a list call's paging: PayPal's page and page_size, with
// empty values meaning absent (plutov sends every key).
type listPage struct {
	page, size int
	total      bool
}

func pageOf(q url.Values) (listPage, *simError) {
	p := listPage{page: 1, size: 10}
	for key, dst := range map[string]*int{"page": &p.page, "page_size": &p.size} {
		v := q.Get(key)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || (key == "page_size" && n > 20) {
			return p, &simError{status: http.StatusBadRequest, name: "INVALID_REQUEST", message: msgInvalidRequest,
				details: []obj{{"field": key, "location": "query", "issue": "INVALID_PARAMETER_VALUE", "description": "The value of a field is invalid."}}}
		}
		*dst = n
	}
	switch q.Get("total_required") {
	case "", "false":
	case "true":
		p.total = true
	default:
		return p, &simError{status: http.StatusBadRequest, name: "INVALID_REQUEST", message: msgInvalidRequest,
			details: []obj{{"field": "total_required", "location": "query", "issue": "INVALID_PARAMETER_VALUE", "description": "The value of a field is invalid."}}}
	}
	return p, nil
}

// slice returns the indexes of the page's items among n.
func (p listPage) slice(n int) []int {
	var idx []int
	for i := (p.page - 1) * p.size; i < n && i < p.page*p.size; i++ {
		idx = append(idx, i)
	}
	return idx
}

func (p listPage) wrap(key string, items []obj, n int, self obj) obj {
	out := obj{key: items, "links": []obj{self}}
	if p.total {
		out["total_items"] = n
		out["total_pages"] = (n + p.size - 1) / p.size
	}
	return out
}

func sortedBySeq[T any](m map[string]T, seq func(T) int) []T {
	all := make([]T, 0, len(m))
	for _, v := range m {
		all = append(all, v)
	}
	slices.SortFunc(all, func(a, b T) int { return cmp.Compare(seq(a), seq(b)) })
	return all
}

func (s *Simulator) createPlan(r *http.Request) (int, any, *simError) {
	var req struct {
		ProductID     string  `json:"product_id"`
		Name          string  `json:"name"`
		Description   string  `json:"description"`
		Status        *string `json:"status"`
		BillingCycles []struct {
			Frequency *struct {
				IntervalUnit  string `json:"interval_unit"`
				IntervalCount *int   `json:"interval_count"`
			} `json:"frequency"`
			TenureType    string `json:"tenure_type"`
			Sequence      int    `json:"sequence"`
			TotalCycles   *int   `json:"total_cycles"`
			PricingScheme *struct {
				FixedPrice *simMoney `json:"fixed_price"`
			} `json:"pricing_scheme"` // read-only version and times are ignored
		} `json:"billing_cycles"`
		PaymentPreferences *struct {
			AutoBillOutstanding     *bool     `json:"auto_bill_outstanding"`
			SetupFee                *simMoney `json:"setup_fee"`
			SetupFeeFailureAction   string    `json:"setup_fee_failure_action"`
			PaymentFailureThreshold int       `json:"payment_failure_threshold"`
		} `json:"payment_preferences"`
		Taxes *struct {
			Percentage string `json:"percentage"`
			Inclusive  *bool  `json:"inclusive"`
		} `json:"taxes"`
		QuantitySupported bool `json:"quantity_supported"`
	}
	if err := decodeBody(r, &req); err != nil {
		return 0, nil, err
	}
	switch {
	case req.ProductID == "":
		return 0, nil, missing("/product_id")
	case s.products[req.ProductID] == nil:
		return 0, nil, notFound("/product_id")
	case req.Name == "":
		return 0, nil, missing("/name")
	case len(req.Name) > 127:
		return 0, nil, tooLong("/name", 127)
	case len(req.Description) > 127:
		return 0, nil, tooLong("/description", 127)
	case req.Status != nil && *req.Status != "CREATED" && *req.Status != "ACTIVE":
		return 0, nil, invalidRequest("/status", "INVALID_PARAMETER_VALUE", "The value of a field is invalid.")
	case req.PaymentPreferences == nil:
		return 0, nil, missing("/payment_preferences")
	case len(req.BillingCycles) == 0:
		return 0, nil, missing("/billing_cycles")
	case len(req.BillingCycles) > 12:
		return 0, nil, invalidRequest("/billing_cycles", "INVALID_ARRAY_MAX_ITEMS", "The number of items in an array parameter is too large.")
	}
	now := time.Now()
	s.seq++
	plan := &simPlan{ID: newID("P-", 24), ProductID: req.ProductID, Name: req.Name, Description: req.Description,
		Status: "ACTIVE", Created: now, Updated: now, seq: s.seq, QuantitySupported: req.QuantitySupported}
	if req.Status != nil {
		plan.Status = *req.Status
	}

	maxCount := map[string]int{"DAY": 365, "WEEK": 52, "MONTH": 12, "YEAR": 1}
	var regular, trials, freeTrials int
	for i, bc := range req.BillingCycles {
		field := fmt.Sprintf("/billing_cycles/%d", i)
		if bc.Frequency == nil {
			return 0, nil, missing(field + "/frequency")
		}
		limit, ok := maxCount[bc.Frequency.IntervalUnit]
		if !ok {
			return 0, nil, invalidRequest(field+"/frequency/interval_unit", "INVALID_PARAMETER_VALUE", "The value of a field is invalid.")
		}
		c := &simCycle{Unit: bc.Frequency.IntervalUnit, Count: 1, Tenure: bc.TenureType, Sequence: bc.Sequence,
			TotalCycles: 1, Version: 1, PriceCreated: now, PriceUpdated: now}
		if bc.Frequency.IntervalCount != nil {
			c.Count = *bc.Frequency.IntervalCount
		}
		if c.Count < 1 || c.Count > limit {
			return 0, nil, invalidRequest(field+"/frequency/interval_count", "INVALID_INTEGER_MAX_VALUE", fmt.Sprintf("interval_count must be 1 to %d for %s.", limit, c.Unit))
		}
		if bc.TotalCycles != nil {
			c.TotalCycles = *bc.TotalCycles
		}
		if bc.PricingScheme != nil && bc.PricingScheme.FixedPrice != nil && *bc.PricingScheme.FixedPrice != (simMoney{}) {
			a, err := parseMoney(field+"/pricing_scheme/fixed_price", bc.PricingScheme.FixedPrice.CurrencyCode, bc.PricingScheme.FixedPrice.Value)
			if err != nil {
				return 0, nil, err
			}
			c.Price = &a
		}
		switch c.Tenure {
		case "REGULAR":
			regular++
			if c.Price == nil {
				return 0, nil, missing(field + "/pricing_scheme")
			}
			if c.TotalCycles < 0 || c.TotalCycles > 999 {
				return 0, nil, invalidRequest(field+"/total_cycles", "INVALID_INTEGER_MAX_VALUE", "total_cycles must be 0 to 999.")
			}
		case "TRIAL":
			trials++
			if c.Price == nil {
				freeTrials++
			}
			if c.TotalCycles < 1 || c.TotalCycles > 999 {
				return 0, nil, unprocessable("INVALID_TRIAL_BILLING_TOTAL_CYCLES", "Total cycles for trial billing must be between 1 and 999.")
			}
		default:
			return 0, nil, invalidRequest(field+"/tenure_type", "INVALID_PARAMETER_VALUE", "The value of a field is invalid.")
		}
		if c.Price != nil {
			if plan.Currency == "" {
				plan.Currency = c.Price.Currency
			} else if plan.Currency != c.Price.Currency {
				return 0, nil, unprocessable("CURRENCY_MISMATCH", "The currency code is different from the plan's currency code.")
			}
		}
		plan.Cycles = append(plan.Cycles, c)
	}
	switch {
	case regular == 0:
		return 0, nil, unprocessable("MISSING_REGULAR_BILLING_CYCLE", "The plan must include a regular billing cycle.")
	case regular > 1:
		return 0, nil, unprocessable("MULTIPLE_REGULAR_BILLING_CYCLES_NOT_SUPPORTED", "Only one regular billing cycle is allowed.")
	case trials > 2:
		return 0, nil, unprocessable("MORE_THAN_TWO_TRIAL_BILLING_CYCLE_NOT_SUPPORTED", "At most two trial billing cycles are allowed.")
	case freeTrials > 1:
		return 0, nil, unprocessable("MULTIPLE_FREE_TRIAL_BILLING_CYCLES_NOT_SUPPORTED", "Only one free trial billing cycle is allowed.")
	}
	slices.SortFunc(plan.Cycles, func(a, b *simCycle) int { return cmp.Compare(a.Sequence, b.Sequence) })
	for i, c := range plan.Cycles {
		if c.Sequence != i+1 || (c.Tenure == "REGULAR" && i != len(plan.Cycles)-1) {
			return 0, nil, unprocessable("INVALID_BILLING_CYCLE_SEQUENCE", "Billing cycle sequences must start at 1, be consecutive and put trials before the regular cycle.")
		}
	}

	pp := req.PaymentPreferences
	plan.AutoBill = pp.AutoBillOutstanding == nil || *pp.AutoBillOutstanding
	plan.SetupFee = money.Amount{Currency: plan.Currency}
	if pp.SetupFee != nil && *pp.SetupFee != (simMoney{}) {
		a, err := parseMoney("/payment_preferences/setup_fee", pp.SetupFee.CurrencyCode, pp.SetupFee.Value)
		if err != nil {
			return 0, nil, err
		}
		if a.Currency != plan.Currency {
			return 0, nil, unprocessable("CURRENCY_MISMATCH", "The currency code is different from the plan's currency code.")
		}
		plan.SetupFee = a
	}
	switch pp.SetupFeeFailureAction {
	case "":
		plan.SetupFeeFailureAction = "CANCEL"
	case "CANCEL", "CONTINUE":
		plan.SetupFeeFailureAction = pp.SetupFeeFailureAction
	default:
		return 0, nil, invalidRequest("/payment_preferences/setup_fee_failure_action", "INVALID_PARAMETER_VALUE", "The value of a field is invalid.")
	}
	if pp.PaymentFailureThreshold < 0 || pp.PaymentFailureThreshold > 999 {
		return 0, nil, invalidRequest("/payment_preferences/payment_failure_threshold", "INVALID_INTEGER_MAX_VALUE", "payment_failure_threshold must be 0 to 999.")
	}
	plan.FailureThreshold = pp.PaymentFailureThreshold
	if req.Taxes != nil {
		if !decimalSyntax.MatchString(req.Taxes.Percentage) {
			return 0, nil, invalidRequest("/taxes/percentage", "INVALID_PARAMETER_SYNTAX", "The value of a field does not conform to the expected format.")
		}
		plan.Taxes = obj{"percentage": req.Taxes.Percentage, "inclusive": req.Taxes.Inclusive == nil || *req.Taxes.Inclusive}
	}
	s.plans[plan.ID] = plan
	return http.StatusCreated, s.planJSON(plan, true), nil
}

func (s *Simulator) planJSON(p *simPlan, full bool) obj {
	self := "/v1/billing/plans/" + p.ID
	out := obj{"id": p.ID, "product_id": p.ProductID, "name": p.Name, "status": p.Status,
		"usage_type": "LICENSED", "create_time": timestamp(p.Created)}
	if p.Description != "" {
		out["description"] = p.Description
	}
	if !full {
		out["links"] = []obj{s.link(self, "self", "GET")}
		return out
	}
	var cycles []obj
	for _, c := range p.Cycles {
		bc := obj{
			"frequency":   obj{"interval_unit": c.Unit, "interval_count": c.Count},
			"tenure_type": c.Tenure, "sequence": c.Sequence, "total_cycles": c.TotalCycles,
		}
		if c.Price != nil {
			bc["pricing_scheme"] = obj{"version": c.Version, "fixed_price": normalizedMoney(*c.Price),
				"create_time": timestamp(c.PriceCreated), "update_time": timestamp(c.PriceUpdated)}
		}
		cycles = append(cycles, bc)
	}
	out["billing_cycles"] = cycles
	out["payment_preferences"] = obj{
		"service_type": "PREPAID", "auto_bill_outstanding": p.AutoBill, "setup_fee": normalizedMoney(p.SetupFee),
		"setup_fee_failure_action": p.SetupFeeFailureAction, "payment_failure_threshold": p.FailureThreshold,
	}
	if p.Taxes != nil {
		out["taxes"] = p.Taxes
	}
	out["quantity_supported"] = p.QuantitySupported
	out["update_time"] = timestamp(p.Updated)
	links := []obj{s.link(self, "self", "GET"), s.link(self, "edit", "PATCH")}
	if p.Status == "ACTIVE" {
		links = append(links, s.link(self+"/deactivate", "deactivate", "POST"))
	} else {
		links = append(links, s.link(self+"/activate", "activate", "POST"))
	}
	out["links"] = append(links, s.link(self+"/update-pricing-schemes", "edit", "POST"))
	return out
}

func (s *Simulator) listPlans(r *http.Request) (int, any, *simError) {
	q := r.URL.Query()
	page, err := pageOf(q)
	if err != nil {
		return 0, nil, err
	}
	var ids []string
	if v := q.Get("plan_ids"); v != "" {
		ids = strings.Split(v, ",")
		if len(ids) > 10 {
			return 0, nil, &simError{status: http.StatusBadRequest, name: "INVALID_REQUEST", message: msgInvalidRequest,
				details: []obj{{"field": "plan_ids", "location": "query", "issue": "INVALID_PARAMETER_VALUE", "description": "At most 10 plan ids."}}}
		}
	}
	var all []*simPlan
	for _, p := range sortedBySeq(s.plans, func(p *simPlan) int { return p.seq }) {
		if (q.Get("product_id") == "" || p.ProductID == q.Get("product_id")) && (ids == nil || slices.Contains(ids, p.ID)) {
			all = append(all, p)
		}
	}
	items := []obj{}
	for _, i := range page.slice(len(all)) {
		items = append(items, s.planJSON(all[i], wantsRepresentation(r)))
	}
	return http.StatusOK, page.wrap("plans", items, len(all), s.link(r.URL.RequestURI(), "self", "GET")), nil
}

// planStatus moves a plan to status from one of the allowed ones.
func (s *Simulator) planStatus(status string, from ...string) simHandler {
	return func(r *http.Request) (int, any, *simError) {
		p, ok := s.plans[r.PathValue("id")]
		if !ok {
			return 0, nil, notFound("")
		}
		if !slices.Contains(from, p.Status) {
			return 0, nil, unprocessable("PLAN_STATUS_INVALID", "Invalid plan status for "+strings.ToLower(status)+" action; plan is "+p.Status+".")
		}
		p.Status, p.Updated = status, time.Now()
		return http.StatusNoContent, nil, nil
	}
}

func (s *Simulator) updatePricing(r *http.Request) (int, any, *simError) {
	p, ok := s.plans[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("")
	}
	var req struct {
		PricingSchemes []struct {
			BillingCycleSequence int `json:"billing_cycle_sequence"`
			PricingScheme        *struct {
				FixedPrice *simMoney `json:"fixed_price"`
			} `json:"pricing_scheme"`
		} `json:"pricing_schemes"`
	}
	if err := decodeBody(r, &req); err != nil {
		return 0, nil, err
	}
	if len(req.PricingSchemes) == 0 {
		return 0, nil, missing("/pricing_schemes")
	}
	if p.Status == "INACTIVE" {
		return 0, nil, unprocessable("PRICING_SCHEME_UPDATE_NOT_ALLOWED", "The pricing scheme of an inactive plan cannot be updated.")
	}
	type change struct {
		c *simCycle
		a money.Amount
	}
	var changes []change
	for i, ps := range req.PricingSchemes {
		idx := slices.IndexFunc(p.Cycles, func(c *simCycle) bool { return c.Sequence == ps.BillingCycleSequence })
		if idx < 0 {
			return 0, nil, unprocessable("INVALID_BILLING_CYCLE_SEQUENCE", "The billing cycle sequence does not exist in the plan.")
		}
		if ps.PricingScheme == nil || ps.PricingScheme.FixedPrice == nil {
			return 0, nil, unprocessable("INVALID_PRICING_SCHEME", "The pricing scheme is invalid.")
		}
		a, err := parseMoney(fmt.Sprintf("/pricing_schemes/%d/pricing_scheme/fixed_price", i), ps.PricingScheme.FixedPrice.CurrencyCode, ps.PricingScheme.FixedPrice.Value)
		if err != nil {
			return 0, nil, err
		}
		if a.Currency != p.Currency {
			return 0, nil, unprocessable("CURRENCY_MISMATCH", "The currency code is different from the plan's currency code.")
		}
		if err := positive(a); err != nil {
			return 0, nil, err
		}
		changes = append(changes, change{p.Cycles[idx], a})
	}
	now := time.Now()
	for _, ch := range changes {
		ch.c.Price, ch.c.Version, ch.c.PriceUpdated = &ch.a, ch.c.Version+1, now
	}
	p.Updated = now
	return http.StatusNoContent, nil, nil
}

func (s *Simulator) createSubscription(r *http.Request) (int, any, *simError) {
	var req struct {
		PlanID     string `json:"plan_id"`
		StartTime  string `json:"start_time"`
		Quantity   string `json:"quantity"`
		CustomID   string `json:"custom_id"`
		Subscriber *struct {
			Name *struct {
				GivenName string `json:"given_name"`
				Surname   string `json:"surname"`
			} `json:"name"`
			EmailAddress string `json:"email_address"`
		} `json:"subscriber"`
		ApplicationContext *struct {
			ReturnURL string `json:"return_url"`
			CancelURL string `json:"cancel_url"`
		} `json:"application_context"`
		Plan json.RawMessage `json:"plan"`
	}
	if err := decodeBody(r, &req); err != nil {
		return 0, nil, err
	}
	if req.PlanID == "" {
		return 0, nil, missing("/plan_id")
	}
	plan, ok := s.plans[req.PlanID]
	switch {
	case !ok:
		return 0, nil, notFound("/plan_id")
	case plan.Status != "ACTIVE":
		return 0, nil, unprocessable("PLAN_STATUS_INVALID", "Invalid plan status. The plan must be ACTIVE.")
	case len(req.CustomID) > 127:
		return 0, nil, tooLong("/custom_id", 127)
	case len(req.Plan) > 0 && string(req.Plan) != "null":
		return 0, nil, invalidRequest("/plan", "INVALID_PARAMETER_VALUE", "The simulator does not support plan overrides.")
	}
	now := time.Now()
	sub := &simSub{
		ID: newID("I-", 12), PlanID: plan.ID, Status: "APPROVAL_PENDING", CustomID: req.CustomID, Quantity: req.Quantity,
		BAToken: newID("BA-", 17), Start: now, Created: now, Updated: now, StatusUpdated: now,
		Outstanding: money.Amount{Currency: plan.Currency},
	}
	if req.StartTime != "" {
		t, err := time.Parse(time.RFC3339, req.StartTime)
		if err != nil {
			return 0, nil, invalidRequest("/start_time", "INVALID_PARAMETER_SYNTAX", "The value of a field does not conform to the expected format.")
		}
		sub.Start = t
	}
	if sub.Quantity == "" {
		sub.Quantity = "1"
	}
	if sb := req.Subscriber; sb != nil {
		sub.Email = sb.EmailAddress
		if sb.Name != nil {
			sub.GivenName, sub.Surname = sb.Name.GivenName, sb.Name.Surname
		}
	}
	if ac := req.ApplicationContext; ac != nil {
		sub.ReturnURL, sub.CancelURL = ac.ReturnURL, ac.CancelURL
	}
	s.subs[sub.ID] = sub
	return http.StatusCreated, s.subJSON(sub, false), nil
}

func (s *Simulator) subJSON(sub *simSub, withLastFailed bool) obj {
	self := "/v1/billing/subscriptions/" + sub.ID
	out := obj{
		"id": sub.ID, "plan_id": sub.PlanID, "status": sub.Status, "status_update_time": timestamp(sub.StatusUpdated),
		"start_time": timestamp(sub.Start), "quantity": sub.Quantity, "plan_overridden": false,
		"create_time": timestamp(sub.Created), "update_time": timestamp(sub.Updated),
	}
	if sub.CustomID != "" {
		out["custom_id"] = sub.CustomID
	}
	if sub.StatusNote != "" {
		out["status_change_note"] = sub.StatusNote
	}
	subscriber := obj{}
	if sub.Email != "" {
		subscriber["email_address"] = sub.Email
	}
	if sub.GivenName != "" || sub.Surname != "" {
		subscriber["name"] = obj{"given_name": sub.GivenName, "surname": sub.Surname}
	}
	if sub.Approved {
		for k, v := range simPayer {
			if _, set := subscriber[k]; !set && k != "address" {
				subscriber[k] = v
			}
		}
	}
	if len(subscriber) > 0 {
		out["subscriber"] = subscriber
	}
	if sub.Status == "APPROVAL_PENDING" {
		out["links"] = []obj{
			{"href": s.base + "/webapps/billing/subscriptions?ba_token=" + sub.BAToken, "rel": "approve", "method": "GET"},
			s.link(self, "edit", "PATCH"), s.link(self, "self", "GET"),
		}
		return out
	}

	plan := s.plans[sub.PlanID]
	var executions []obj
	left := sub.CyclesCompleted
	for _, c := range plan.Cycles {
		done := left
		if c.TotalCycles > 0 {
			done = min(done, c.TotalCycles)
		}
		left -= done
		ex := obj{"tenure_type": c.Tenure, "sequence": c.Sequence, "cycles_completed": done,
			"cycles_remaining": 0, "current_pricing_scheme_version": c.Version, "total_cycles": c.TotalCycles}
		if c.TotalCycles > 0 {
			ex["cycles_remaining"] = c.TotalCycles - done
		}
		executions = append(executions, ex)
	}
	info := obj{"outstanding_balance": normalizedMoney(sub.Outstanding), "cycle_executions": executions,
		"failed_payments_count": sub.FailedPayments}
	if lp := sub.LastPayment; lp != nil {
		info["last_payment"] = obj{"amount": normalizedMoney(lp.Amount), "time": timestamp(lp.Time)}
	}
	if sub.Status == "ACTIVE" && plan.cycleAt(sub.CyclesCompleted) != nil {
		info["next_billing_time"] = timestamp(sub.NextBilling)
	}
	if lf := sub.LastFailed; withLastFailed && lf != nil {
		info["last_failed_payment"] = obj{"amount": normalizedMoney(lf.Amount), "time": timestamp(lf.Time),
			"reason_code": lf.Reason, "next_payment_retry_time": timestamp(lf.Retry)}
	}
	out["billing_info"] = info
	links := []obj{s.link(self+"/cancel", "cancel", "POST"), s.link(self, "edit", "PATCH"), s.link(self, "self", "GET")}
	switch sub.Status {
	case "ACTIVE":
		links = append(links, s.link(self+"/suspend", "suspend", "POST"), s.link(self+"/capture", "capture", "POST"))
	case "SUSPENDED":
		links = append(links, s.link(self+"/activate", "activate", "POST"), s.link(self+"/capture", "capture", "POST"))
	}
	out["links"] = links
	return out
}

func (s *Simulator) reviseSubscription(r *http.Request) (int, any, *simError) {
	sub, ok := s.subs[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("")
	}
	var req struct {
		PlanID             string `json:"plan_id"`
		ApplicationContext *struct {
			ReturnURL string `json:"return_url"`
			CancelURL string `json:"cancel_url"`
		} `json:"application_context"`
	}
	if err := decodeBody(r, &req); err != nil {
		return 0, nil, err
	}
	if req.PlanID == "" {
		return 0, nil, missing("/plan_id")
	}
	if ac := req.ApplicationContext; ac != nil && ac.ReturnURL == "" {
		return 0, nil, missing("/application_context/return_url")
	}
	if ac := req.ApplicationContext; ac != nil && ac.CancelURL == "" {
		return 0, nil, missing("/application_context/cancel_url")
	}
	plan, ok := s.plans[req.PlanID]
	switch {
	case !ok:
		return 0, nil, notFound("/plan_id")
	case sub.Status != "ACTIVE" && sub.Status != "SUSPENDED":
		return 0, nil, unprocessable("SUBSCRIPTION_STATUS_INVALID", "Invalid subscription status for revise action; subscription status should be active or suspended.")
	case plan.Status != "ACTIVE":
		return 0, nil, unprocessable("PLAN_STATUS_INVALID", "Invalid plan status. The plan must be ACTIVE.")
	case plan.ProductID != s.plans[sub.PlanID].ProductID:
		return 0, nil, unprocessable("PLAN_PRODUCT_NOT_COMPATIBLE", "The new plan must belong to the same product as the current plan.")
	}
	rev := &simRevision{PlanID: plan.ID, BAToken: newID("BA-", 17), ReturnURL: sub.ReturnURL}
	if ac := req.ApplicationContext; ac != nil {
		rev.ReturnURL = ac.ReturnURL
	}
	sub.Revision = rev
	effective := sub.NextBilling
	if effective.IsZero() {
		effective = time.Now()
	}
	self := "/v1/billing/subscriptions/" + sub.ID
	return http.StatusOK, obj{
		"plan_id": plan.ID, "plan_overridden": false, "effective_time": timestamp(effective),
		"links": []obj{
			{"href": s.base + "/webapps/billing/subscriptions/update?ba_token=" + rev.BAToken, "rel": "approve", "method": "GET"},
			s.link(self, "edit", "PATCH"), s.link(self, "self", "GET"), s.link(self+"/cancel", "cancel", "POST"),
		},
	}, nil
}

// subTransition moves a subscription to status from one of the allowed
// ones, with the reason PayPal requires for suspend and cancel, and emits
// the matching event.
func (s *Simulator) subTransition(status string, reasonRequired bool, from ...string) simHandler {
	events := map[string]string{"SUSPENDED": "BILLING.SUBSCRIPTION.SUSPENDED", "ACTIVE": "BILLING.SUBSCRIPTION.ACTIVATED", "CANCELLED": "BILLING.SUBSCRIPTION.CANCELLED"}
	return func(r *http.Request) (int, any, *simError) {
		sub, ok := s.subs[r.PathValue("id")]
		if !ok {
			return 0, nil, notFound("")
		}
		var req struct {
			Reason *string `json:"reason"`
		}
		if err := decodeBody(r, &req); err != nil {
			return 0, nil, err
		}
		switch {
		case reasonRequired && req.Reason == nil:
			return 0, nil, missing("/reason")
		case reasonRequired && *req.Reason == "":
			return 0, nil, invalidRequest("/reason", "INVALID_STRING_MIN_LENGTH", "The value of a field is too short.")
		case req.Reason != nil && len(*req.Reason) > 128:
			return 0, nil, tooLong("/reason", 128)
		case !slices.Contains(from, sub.Status):
			return 0, nil, unprocessable("SUBSCRIPTION_STATUS_INVALID", "Invalid subscription status for "+strings.ToLower(status)+" action; subscription is "+sub.Status+".")
		case status == "ACTIVE" && s.plans[sub.PlanID].FailureThreshold > 0 && sub.FailedPayments >= s.plans[sub.PlanID].FailureThreshold:
			return 0, nil, unprocessable("SUBSCRIPTION_CANNOT_BE_ACTIVATED", "Subscription cannot be activated after payment failure threshold has reached.")
		}
		now := time.Now()
		sub.Status, sub.StatusUpdated, sub.Updated = status, now, now
		if req.Reason != nil && *req.Reason != "" {
			sub.StatusNote = *req.Reason
		}
		s.notify(events[status], s.subJSON(sub, false))
		return http.StatusNoContent, nil, nil
	}
}

func (s *Simulator) captureOutstanding(r *http.Request) (int, any, *simError) {
	sub, ok := s.subs[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("")
	}
	var req struct {
		Note        string    `json:"note"`
		CaptureType string    `json:"capture_type"`
		Amount      *simMoney `json:"amount"`
	}
	if err := decodeBody(r, &req); err != nil {
		return 0, nil, err
	}
	switch {
	case req.Note == "":
		return 0, nil, missing("/note")
	case req.CaptureType != "OUTSTANDING_BALANCE":
		return 0, nil, invalidRequest("/capture_type", "INVALID_PARAMETER_VALUE", "The value of a field is invalid.")
	case req.Amount == nil:
		return 0, nil, missing("/amount")
	}
	a, err := parseMoney("/amount", req.Amount.CurrencyCode, req.Amount.Value)
	if err != nil {
		return 0, nil, err
	}
	if err := positive(a); err != nil {
		return 0, nil, err
	}
	switch {
	case !slices.Contains([]string{"ACTIVE", "SUSPENDED", "EXPIRED"}, sub.Status):
		return 0, nil, unprocessable("SUBSCRIPTION_STATUS_INVALID", "Invalid subscription status for capture action; subscription is "+sub.Status+".")
	case a.Currency != sub.Outstanding.Currency:
		return 0, nil, unprocessable("CURRENCY_MISMATCH", "The currency code is different from the subscription's currency code.")
	case sub.Outstanding.IsZero():
		return 0, nil, unprocessable("ZERO_OUTSTANDING_BALANCE", "Current outstanding balance should be greater than zero.")
	}
	if c, _ := a.Cmp(sub.Outstanding); c > 0 {
		return 0, nil, unprocessable("AMOUNT_GREATER_THAN_OUTSTANDING_BALANCE", "Capture amount is greater than the outstanding balance.")
	}
	sub.Outstanding = mustSub(sub.Outstanding, a)
	if sub.Outstanding.IsZero() {
		sub.FailedPayments = 0
	}
	s.recordSale(sub, a, false)
	return http.StatusOK, s.transactionJSON(sub, s.sales[sub.LastPayment.ID]), nil
}

func (s *Simulator) listTransactions(r *http.Request) (int, any, *simError) {
	sub, ok := s.subs[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("")
	}
	var bounds [2]time.Time
	for i, key := range []string{"start_time", "end_time"} {
		v := r.URL.Query().Get(key)
		if v == "" {
			return 0, nil, &simError{status: http.StatusBadRequest, name: "INVALID_REQUEST", message: msgInvalidRequest,
				details: []obj{{"field": key, "location": "query", "issue": "MISSING_REQUIRED_PARAMETER", "description": "A required field / parameter is missing."}}}
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return 0, nil, &simError{status: http.StatusBadRequest, name: "INVALID_REQUEST", message: msgInvalidRequest,
				details: []obj{{"field": key, "location": "query", "issue": "INVALID_PARAMETER_SYNTAX", "description": "The value of a field does not conform to the expected format."}}}
		}
		bounds[i] = t
	}
	within := func(t time.Time) bool { return !t.Before(bounds[0]) && !t.After(bounds[1]) }
	txns := []obj{}
	for _, id := range sub.SaleIDs {
		if sale := s.sales[id]; within(sale.Created) {
			txns = append(txns, s.transactionJSON(sub, sale))
		}
	}
	for _, d := range sub.Declined {
		if within(d.Time) {
			zero := money.Amount{Currency: d.Amount.Currency}
			txns = append(txns, obj{
				"status": "DECLINED", "id": d.ID, "time": timestamp(d.Time),
				"payer_name": simPayer["name"], "payer_email": simPayer["email_address"],
				"amount_with_breakdown": obj{
					"gross_amount": v2Money(d.Amount), "fee_amount": v2Money(zero), "net_amount": v2Money(zero),
				},
			})
		}
	}
	return http.StatusOK, obj{"transactions": txns, "total_items": len(txns), "total_pages": 1,
		"links": []obj{s.link(r.URL.RequestURI(), "self", "GET")}}, nil
}

// transactionJSON is a sale as the subscription's transaction list shows it.
func (s *Simulator) transactionJSON(sub *simSub, sale *simSale) obj {
	f := fee(sale.Amount)
	status := map[string]string{"completed": "COMPLETED", "partially_refunded": "PARTIALLY_REFUNDED", "refunded": "REFUNDED"}[sale.State]
	payerName, payerEmail := simPayer["name"], simPayer["email_address"]
	if sub.Email != "" {
		payerEmail = sub.Email
	}
	return obj{
		"status": status, "id": sale.ID, "time": timestamp(sale.Created),
		"payer_name": payerName, "payer_email": payerEmail,
		"amount_with_breakdown": obj{
			"gross_amount": v2Money(sale.Amount), "fee_amount": v2Money(f), "net_amount": v2Money(mustSub(sale.Amount, f)),
		},
	}
}

// saleJSON is the Payments v1 sale, as PAYMENT.SALE.COMPLETED carries it.
func (s *Simulator) saleJSON(sale *simSale) obj {
	f := fee(sale.Amount)
	out := obj{
		"id": sale.ID, "state": sale.State,
		"amount":                      obj{"total": mustFormat(sale.Amount), "currency": sale.Amount.Currency, "details": obj{"subtotal": mustFormat(sale.Amount)}},
		"transaction_fee":             obj{"value": mustFormat(f), "currency": f.Currency},
		"payment_mode":                "INSTANT_TRANSFER",
		"protection_eligibility":      "ELIGIBLE",
		"protection_eligibility_type": "ITEM_NOT_RECEIVED_ELIGIBLE,UNAUTHORIZED_PAYMENT_ELIGIBLE",
		"billing_agreement_id":        sale.SubscriptionID,
		"invoice_number":              "",
		"create_time":                 timestamp(sale.Created),
		"update_time":                 timestamp(sale.Updated),
		"links": []obj{
			s.link("/v1/payments/sale/"+sale.ID, "self", "GET"),
			s.link("/v1/payments/sale/"+sale.ID+"/refund", "refund", "POST"),
		},
	}
	if sale.CustomID != "" {
		out["custom"] = sale.CustomID
	}
	return out
}

func (s *Simulator) refundSale(r *http.Request) (int, any, *simError) {
	sale, ok := s.sales[r.PathValue("id")]
	if !ok {
		return 0, nil, v1Error(http.StatusNotFound, "INVALID_RESOURCE_ID", "Requested resource ID was not found.")
	}
	var req struct {
		Amount *struct {
			Total    string `json:"total"`
			Currency string `json:"currency"`
		} `json:"amount"` // plutov sends null for a full refund, and "details": {}
		Description   string `json:"description"`
		Reason        string `json:"reason"`
		InvoiceNumber string `json:"invoice_number"`
	}
	if err := decodeBody(r, &req); err != nil {
		return 0, nil, err
	}
	validation := func(field, issue string) *simError {
		return &simError{status: http.StatusBadRequest, name: "VALIDATION_ERROR", message: "Invalid request - see details",
			details: []obj{{"field": field, "issue": issue}}}
	}
	switch {
	case len(req.Description) > 255:
		return 0, nil, validation("description", "Length must be at most 255")
	case len(req.Reason) > 30:
		return 0, nil, validation("reason", "Length must be at most 30")
	case len(req.InvoiceNumber) > 127:
		return 0, nil, validation("invoice_number", "Length must be at most 127")
	}
	remaining := mustSub(sale.Amount, sale.Refunded)
	if remaining.IsZero() {
		return 0, nil, v1Error(http.StatusBadRequest, "TRANSACTION_ALREADY_REFUNDED", "Refund transaction refused - this transaction has already been refunded.")
	}
	amount := remaining
	if req.Amount == nil {
		if !sale.Refunded.IsZero() {
			return 0, nil, v1Error(http.StatusBadRequest, "FULL_REFUND_NOT_ALLOWED_AFTER_PARTIAL_REFUND", "Full refund refused - partial refund has already been done on this payment. You cannot refund more than the remaining amount.")
		}
	} else {
		a, err := parseMoney("amount", req.Amount.Currency, req.Amount.Total)
		if err != nil {
			return 0, nil, validation("amount.total", "Must be a valid amount in the sale's currency: "+err.message)
		}
		switch c, _ := a.Cmp(remaining); {
		case a.Currency != sale.Amount.Currency:
			return 0, nil, validation("amount.currency", "Currency must match the sale's currency")
		case a.Minor <= 0:
			return 0, nil, validation("amount.total", "Amount must be greater than zero")
		case c > 0:
			return 0, nil, v1Error(http.StatusBadRequest, "REFUND_EXCEEDED_TRANSACTION_AMOUNT", "Refund refused - the requested refund amount would exceed the amount of the original transaction.")
		}
		amount = a
	}

	now := time.Now()
	sale.Refunded = mustAdd(sale.Refunded, amount)
	sale.State, sale.Updated = "partially_refunded", now
	if sale.Refunded == sale.Amount {
		sale.State = "refunded"
	}
	ref := &simRefund{ID: newID("", 17), SaleID: sale.ID, Amount: amount, TotalRefunded: sale.Refunded,
		InvoiceID: req.InvoiceNumber, Note: req.Description, Custom: req.Reason, Created: now}
	s.refunds[ref.ID] = ref
	sale.RefundIDs = append(sale.RefundIDs, ref.ID)
	s.notify("PAYMENT.SALE.REFUNDED", s.saleRefundJSON(ref))
	return http.StatusCreated, s.saleRefundJSON(ref), nil
}

// saleRefundJSON is the v1 detailed_refund.
func (s *Simulator) saleRefundJSON(ref *simRefund) obj {
	f := fee(ref.Amount)
	out := obj{
		"id": ref.ID, "state": "completed", "sale_id": ref.SaleID, "refund_reason_code": "REFUND",
		"amount":                      v1Money(ref.Amount),
		"refund_from_transaction_fee": obj{"currency": f.Currency, "value": mustFormat(f)},
		"refund_from_received_amount": obj{"currency": f.Currency, "value": mustFormat(mustSub(ref.Amount, f))},
		"total_refunded_amount":       obj{"currency": f.Currency, "value": mustFormat(ref.TotalRefunded)},
		"refund_to_payer":             obj{"currency": f.Currency, "value": mustFormat(ref.Amount)},
		"create_time":                 timestamp(ref.Created),
		"update_time":                 timestamp(ref.Created),
		"links": []obj{
			s.link("/v1/payments/refund/"+ref.ID, "self", "GET"),
			s.link("/v1/payments/sale/"+ref.SaleID, "sale", "GET"),
		},
	}
	for k, v := range map[string]string{"invoice_number": ref.InvoiceID, "description": ref.Note, "reason": ref.Custom} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}
