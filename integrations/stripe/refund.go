package stripe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/ezscale/ezscale/integrations/gateway"
)

// refundReasons are the reasons Stripe's refund API accepts; it refuses any
// other value, so staff's free text travels in metadata.reason instead.
var refundReasons = map[string]bool{
	string(stripeapi.RefundReasonRequestedByCustomer): true,
	string(stripeapi.RefundReasonDuplicate):           true,
	string(stripeapi.RefundReasonFraudulent):          true,
}

// Refund returns (part of) a PaymentIntent's payment. The amount is always
// explicit, because the ledger records what was refunded, and the
// idempotency key makes a retried refund return the first one.
func (c *Client) Refund(ctx context.Context, req gateway.RefundRequest) (gateway.RefundResult, error) {
	if req.IdempotencyKey == "" {
		return gateway.RefundResult{}, gateway.Refusal(errors.New("stripe refund: an idempotency key is required, or a retry could refund twice"))
	}
	amount, _, err := toStripe(req.Amount)
	if err != nil {
		return gateway.RefundResult{}, gateway.Refusal(fmt.Errorf("stripe refund: %w", err))
	}
	if amount <= 0 {
		return gateway.RefundResult{}, gateway.Refusal(fmt.Errorf("stripe refund: amount %s is not positive", req.Amount))
	}
	params := &stripeapi.RefundCreateParams{
		PaymentIntent: stripeapi.String(req.PaymentGatewayID),
		Amount:        stripeapi.Int64(amount),
	}
	if reason := strings.TrimSpace(req.Reason); refundReasons[reason] {
		params.Reason = stripeapi.String(reason)
	} else if reason != "" {
		params.Metadata = map[string]string{"reason": truncate(reason, maxMetadataValue)}
	}
	params.SetIdempotencyKey(req.IdempotencyKey)
	re, err := c.api.V1Refunds.Create(ctx, params)
	if err != nil {
		return gateway.RefundResult{}, classifyRefundErr(wrapErr("refund", err))
	}
	return gateway.RefundResult{GatewayID: re.ID, Status: refundStatus(re.Status)}, nil
}

// classifyRefundErr marks Stripe's definite refusals (a 4xx answer: the
// charge is already refunded, the amount exceeds it, the request is
// invalid) so the refund fails and frees its reservation. A timeout, a lost
// answer, a 5xx, a rate limit (429) or a concurrent use of the same key
// (409) is ambiguous: Stripe may have refunded, so it stays pending and is
// retried with the same key.
func classifyRefundErr(err error) error {
	var se *stripeapi.Error
	if errors.As(err, &se) && se.HTTPStatusCode >= 400 && se.HTTPStatusCode < 500 &&
		se.HTTPStatusCode != http.StatusRequestTimeout && se.HTTPStatusCode != http.StatusConflict && se.HTTPStatusCode != http.StatusTooManyRequests {
		return gateway.Refusal(err)
	}
	return err
}

// maxMetadataValue is Stripe's limit on a metadata value, in characters.
// The ledger keeps the full reason; Stripe gets what fits.
const maxMetadataValue = 500

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// refundStatus maps Stripe's refund states onto payments.status; a refund
// still on its way (pending, requires_action) settles by webhook.
func refundStatus(s stripeapi.RefundStatus) string {
	switch s {
	case stripeapi.RefundStatusSucceeded:
		return gateway.StatusSucceeded
	case stripeapi.RefundStatusFailed, stripeapi.RefundStatusCanceled:
		return gateway.StatusFailed
	}
	return gateway.StatusPending
}
