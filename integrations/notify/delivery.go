package notify

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/outbox"
)

func init() { outbox.RenderWith(renderQueued) }

// queued is a notice as the outbox stores it when it is rendered at
// delivery: which notice, on which channel, with what facts.
type queued struct {
	Notice string          `json:"notice"` // email or discord
	Key    string          `json:"key"`
	Data   json.RawMessage `json:"data"`
	// UnlessSettled is an invoice whose settling (paid, voided) before
	// delivery makes the notice obsolete.
	UnlessSettled string `json:"unless_settled,omitempty"`
}

// queuedFacts encodes a notice to render at delivery. Each fact keeps its
// type (an amount, a date, a count), so the template prints it exactly as
// it would have when queued; a fact of another type is refused here, in
// the caller's transaction, not at delivery.
func queuedFacts(notice, key string, data Data) (json.RawMessage, error) {
	return encodeQueued(queued{Notice: notice, Key: key}, data)
}

// encodeQueued is q with data encoded as its facts.
func encodeQueued(q queued, data Data) (json.RawMessage, error) {
	enc, err := encodeFact(data)
	if err != nil {
		return nil, fmt.Errorf("notice %s: %w", q.Key, err)
	}
	if q.Data, err = json.Marshal(enc); err != nil {
		return nil, fmt.Errorf("notice %s: %w", q.Key, err)
	}
	return json.Marshal(q)
}

// stillDue says why a notice queued unless an invoice settles is obsolete
// (empty when it is still to be sent): the invoice is no longer open.
func stillDue(app core.App, q queued) (string, error) {
	if q.UnlessSettled == "" {
		return "", nil
	}
	inv, err := ledger.FindInvoice(app, q.UnlessSettled)
	if errors.Is(err, sql.ErrNoRows) {
		return "invoice " + q.UnlessSettled + " no longer exists", nil
	}
	if err != nil {
		return "", err // retried
	}
	if st := inv.Status(); st != ledger.StatusOpen {
		return "invoice " + ledger.Label(inv) + " is " + st + " already", nil
	}
	return "", nil
}

// renderQueued is the outbox's Renderer: a notice queued as facts,
// rendered as Customer and Staff would have when it was queued (with the
// settings and staff's override of now).
func renderQueued(app core.App, raw []byte) (outbox.Content, error) {
	var q queued
	if err := json.Unmarshal(raw, &q); err != nil {
		return outbox.Content{}, outbox.Permanent(fmt.Errorf("facts: %w", err))
	}
	if why, err := stillDue(app, q); err != nil || why != "" {
		if err != nil {
			return outbox.Content{}, err
		}
		return outbox.Content{}, outbox.Obsolete(why)
	}
	dec := json.NewDecoder(bytes.NewReader(q.Data))
	dec.UseNumber()
	var stored any
	if err := dec.Decode(&stored); err != nil {
		return outbox.Content{}, outbox.Permanent(fmt.Errorf("facts of %s: %w", q.Key, err))
	}
	v, err := decodeFact(stored)
	if err != nil {
		return outbox.Content{}, outbox.Permanent(fmt.Errorf("facts of %s: %w", q.Key, err))
	}
	data, ok := v.(Data)
	if !ok {
		return outbox.Content{}, outbox.Permanent(fmt.Errorf("facts of %s are not a set of facts", q.Key))
	}
	switch q.Notice {
	case "email":
		b, err := NewBatch(app)
		if err != nil {
			return outbox.Content{}, err // the settings could not be read: retried
		}
		r, err := b.Render(q.Key, data)
		if err != nil {
			return outbox.Content{}, outbox.Permanent(err)
		}
		return outbox.Content{Subject: r.Subject, Text: r.Text, HTML: r.HTML}, nil
	case "discord":
		subject, body, err := renderStaff(q.Key, data)
		if err != nil {
			return outbox.Content{}, outbox.Permanent(err)
		}
		return outbox.Content{Subject: subject, Text: body}, nil
	}
	return outbox.Content{}, outbox.Permanent(fmt.Errorf("unknown notice channel %q", q.Notice))
}

// Stored facts: a string, a boolean or null as itself; any other value as
// an object of one member naming its type.
const (
	factInt     = "int"
	factInt64   = "int64"
	factFloat   = "float"
	factMoney   = "money"
	factTime    = "time"
	factStrings = "strings"
	factFacts   = "facts"
	factList    = "list" // of sets of facts, e.g. an invoice's lines
)

func encodeFact(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool:
		return x, nil
	case int:
		return map[string]any{factInt: x}, nil
	case int64:
		return map[string]any{factInt64: x}, nil
	case float64:
		return map[string]any{factFloat: x}, nil
	case money.Amount:
		return map[string]any{factMoney: map[string]any{"minor": x.Minor, "currency": x.Currency}}, nil
	case time.Time:
		return map[string]any{factTime: x.Format(time.RFC3339Nano)}, nil
	case []string:
		return map[string]any{factStrings: x}, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, f := range x {
			enc, err := encodeFact(f)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = enc
		}
		return map[string]any{factFacts: out}, nil
	case []Data:
		out := make([]any, len(x))
		for i, f := range x {
			enc, err := encodeFact(f)
			if err != nil {
				return nil, fmt.Errorf("%d: %w", i, err)
			}
			out[i] = enc
		}
		return map[string]any{factList: out}, nil
	}
	return nil, fmt.Errorf("a fact of type %T cannot be stored to render at delivery", v)
}

func decodeFact(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool:
		return x, nil
	case map[string]any:
		if len(x) != 1 {
			return nil, errors.New("a stored fact names one type")
		}
		for kind, val := range x {
			return decodeTyped(kind, val)
		}
	}
	return nil, fmt.Errorf("unexpected stored fact %T", v)
}

func decodeTyped(kind string, val any) (any, error) {
	switch kind {
	case factInt, factInt64:
		n, ok := val.(json.Number)
		if !ok {
			return nil, fmt.Errorf("%s fact is not a number", kind)
		}
		i, err := n.Int64()
		if kind == factInt {
			return int(i), err
		}
		return i, err
	case factFloat:
		n, ok := val.(json.Number)
		if !ok {
			return nil, errors.New("float fact is not a number")
		}
		return n.Float64()
	case factMoney:
		m, _ := val.(map[string]any)
		minor, ok := m["minor"].(json.Number)
		cur, ok2 := m["currency"].(string)
		if !ok || !ok2 {
			return nil, errors.New("money fact needs minor and currency")
		}
		i, err := minor.Int64()
		return money.Amount{Minor: i, Currency: cur}, err
	case factTime:
		s, _ := val.(string)
		t, err := time.Parse(time.RFC3339Nano, s)
		if err == nil {
			if _, off := t.Zone(); off == 0 {
				t = t.UTC()
			}
		}
		return t, err
	case factStrings:
		list, ok := val.([]any)
		if !ok && val != nil {
			return nil, errors.New("strings fact is not a list")
		}
		out := make([]string, 0, len(list))
		for _, e := range list {
			s, ok := e.(string)
			if !ok {
				return nil, errors.New("strings fact holds a non-string")
			}
			out = append(out, s)
		}
		return out, nil
	case factList:
		list, ok := val.([]any)
		if !ok && val != nil {
			return nil, errors.New("list fact is not a list")
		}
		out := make([]Data, 0, len(list))
		for _, e := range list {
			d, err := decodeFact(e)
			if err != nil {
				return nil, err
			}
			facts, ok := d.(Data)
			if !ok {
				return nil, errors.New("list fact holds something other than facts")
			}
			out = append(out, facts)
		}
		return out, nil
	case factFacts:
		m, ok := val.(map[string]any)
		if !ok {
			return nil, errors.New("facts fact is not an object")
		}
		out := make(Data, len(m))
		for k, f := range m {
			d, err := decodeFact(f)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = d
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown stored fact type %q", kind)
}
