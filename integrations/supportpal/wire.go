package supportpal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// envelope is SupportPal's answer wrapper: {status, message, count?, data}.
type envelope struct {
	Status  string          `json:"status"`
	Message json.RawMessage `json:"message"`
	Count   *int            `json:"count"`
	Data    json.RawMessage `json:"data"`
}

// text is the message as a string (it is null on success, a string on
// errors; anything else is shown as its JSON).
func (e *envelope) text() string {
	m := bytes.TrimSpace(e.Message)
	if len(m) == 0 || string(m) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(m, &s) == nil {
		return s
	}
	return string(m)
}

func (e *envelope) decode(op string, out any) error {
	if err := json.Unmarshal(e.Data, out); err != nil {
		return &Error{Op: op, Message: "decode answer: " + err.Error(), err: err}
	}
	return nil
}

// flag is a SupportPal boolean: 0/1 in responses, but true/false, "0"/"1"
// and null are accepted too, since both forms appear across versions.
type flag bool

func (f *flag) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	switch strings.ToLower(s) {
	case "", "null", "false", "0":
		*f = false
		return nil
	case "true":
		*f = true
		return nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("supportpal: %s is not a 0/1 flag", b)
	}
	*f = n != 0
	return nil
}

// number is a ticket number: a string in SupportPal's answers ("6151997"),
// but a JSON number in some versions and fixtures; both read as the digits.
type number string

func (n *number) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*n = ""
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		*n = number(s)
		return nil
	}
	var num json.Number
	if err := json.Unmarshal(b, &num); err != nil {
		return fmt.Errorf("supportpal: ticket number %s is neither a string nor a number", b)
	}
	if _, err := strconv.ParseInt(string(num), 10, 64); err != nil {
		return fmt.Errorf("supportpal: ticket number %s is not a whole number", b)
	}
	*n = number(num)
	return nil
}

// bit is the 0/1 form SupportPal expects for integer switches in bodies.
func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}
