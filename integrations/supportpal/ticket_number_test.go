package supportpal

import (
	"context"
	"net/http"
	"testing"
)

// Ticket numbers are strings in SupportPal's answers, numbers in some
// versions; both read as the same digits, and anything else is refused.
func TestTicketNumberStringOrNumber(t *testing.T) {
	cases := []struct {
		number string
		want   string
		bad    bool
	}{
		{`"6151997"`, "6151997", false},
		{`6151997`, "6151997", false},
		{`"AB-1234"`, "AB-1234", false}, // a custom number format
		{`null`, "", false},
		{`6151997.5`, "", true},
		{`true`, "", true},
		{`{"n": 1}`, "", true},
	}
	for _, tc := range cases {
		body := `{"status":"success","message":null,"count":1,"data":[{"id":1503,"number":` + tc.number +
			`,"subject":"Down","user_id":42,"locked":0,"internal":0}]}`
		items, _, err := stubClient(t, http.StatusOK, body).ListTickets(context.Background(), TicketFilter{})
		if tc.bad {
			if err == nil {
				t.Errorf("number %s: read as %+v, want an error", tc.number, items)
			}
			continue
		}
		if err != nil || len(items) != 1 || items[0].Number != tc.want || items[0].ID != 1503 {
			t.Errorf("number %s: %+v %v, want %q", tc.number, items, err, tc.want)
		}
	}
}
