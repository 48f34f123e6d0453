package supportpalsim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ezscale/ezscale/integrations/simfault"
)

// Simulator is a stateful in-memory SupportPal help desk speaking the REST
// API of the contract (envelopes, Basic auth with the token as user name,
// 1-based start/limit paging, UNIX-second times, 0/1 flags, 4xx error
// envelopes) over real HTTP, plus the SimpleAuth login route and a bare
// customer front end, for tests and local development.
//
// It is seeded with departments 1 "Support" and 2 "Billing" (public) and 3
// "Abuse (internal)" (not public), statuses 1 Open, 2 Closed, 3 In
// Progress, priorities 1 Low, 2 Medium, 3 High, and one operator (id 1,
// "Sam Support") who writes the staff replies and notes of the test
// helpers. User ids start at 100, tickets at 1500, messages at 9000, so an
// id passed in the wrong place is not found. Message text is stored as
// sent: purified_text is not cleaned, so tests prove the caller sanitises.
//
// Embedded simfault.Faults gives FailNext, SetLatency and DropNext(Response)
// for every route, SimpleAuth included.
type Simulator struct {
	token  string
	ssoKey []byte

	mu          sync.Mutex
	base        string // scheme and host for links, from Start or the first request
	now         func() time.Time
	operators   map[int64]string
	departments []*simDepartment
	statuses    []*simStatus
	priorities  []*simPriority
	users       map[int64]*simUser
	tickets     map[int64]*simTicket
	messages    map[int64]*simMessage
	numbers     map[string]bool
	usedJTI     map[string]bool
	ssoLogins   []string
	nextUser    int64
	nextTicket  int64
	nextMessage int64
	requests    int

	simfault.Faults
}

type simDepartment struct {
	ID     int64
	Name   string
	Public bool
	Order  int
}

type simStatus struct {
	ID        int64
	Name      string
	Colour    string
	AutoClose bool
	Order     int
}

type simPriority struct {
	ID     int64
	Name   string
	Colour string
	Order  int
}

type simUser struct {
	ID                                  int64
	Email, Firstname, Lastname, Country string
	EmailVerified, Active               bool
	CreatedAt, UpdatedAt                int64
}

func (u *simUser) formattedName() string {
	if n := strings.TrimSpace(u.Firstname + " " + u.Lastname); n != "" {
		return n
	}
	return u.Email
}

type simTicket struct {
	ID                                         int64
	Number, Token                              string
	DepartmentID, UserID, StatusID, PriorityID int64
	Subject                                    string
	Locked                                     bool
	MessagesCount, NotesCount                  int
	LastReplyTime, LastMessageTime             int64
	LastReplyID, LastMessageID                 int64
	CreatedAt, UpdatedAt                       int64
}

type simMessage struct {
	ID, TicketID, UserID int64
	UserName, IP         string
	By, Type             int
	Text                 string
	IsDraft              bool
	CreatedAt, UpdatedAt int64
}

// Author kinds of a message's "by" (community spec: 0 operator, 1 user).
const (
	byOperator = 0
	byUser     = 1
)

// Seeded ids the simulator's behaviour depends on.
const (
	simOperatorID   = 1
	simStatusOpen   = 1
	simStatusClosed = 2
)

// New makes a help desk accepting token for the API and signing
// SimpleAuth links with simpleAuthKey.
func New(token string, simpleAuthKey []byte) *Simulator {
	return &Simulator{
		token: token, ssoKey: append([]byte(nil), simpleAuthKey...), now: time.Now,
		operators: map[int64]string{simOperatorID: "Sam Support"},
		departments: []*simDepartment{
			{ID: 1, Name: "Support", Public: true, Order: 1},
			{ID: 2, Name: "Billing", Public: true, Order: 2},
			{ID: 3, Name: "Abuse (internal)", Public: false, Order: 3},
		},
		statuses: []*simStatus{
			{ID: simStatusOpen, Name: "Open", Colour: "#35a600", AutoClose: true, Order: 1},
			{ID: simStatusClosed, Name: "Closed", Colour: "#7f8c8d", Order: 2},
			{ID: 3, Name: "In Progress", Colour: "#e67e22", AutoClose: true, Order: 3},
		},
		priorities: []*simPriority{
			{ID: 1, Name: "Low", Colour: "#3498db", Order: 1},
			{ID: 2, Name: "Medium", Colour: "#e67e22", Order: 2},
			{ID: 3, Name: "High", Colour: "#e74c3c", Order: 3},
		},
		users: map[int64]*simUser{}, tickets: map[int64]*simTicket{}, messages: map[int64]*simMessage{},
		numbers: map[string]bool{}, usedJTI: map[string]bool{},
		nextUser: 100, nextTicket: 1500, nextMessage: 9000,
	}
}

// Start serves the simulator on a loopback port; url is the install URL
// (Config.URL).
func (s *Simulator) Start() (url string, stop func()) {
	srv := httptest.NewServer(s)
	s.mu.Lock()
	s.base = srv.URL
	s.mu.Unlock()
	return srv.URL, srv.Close
}

// URL is the install URL Start serves on, for a test that was handed only
// the simulator.
func (s *Simulator) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base
}

// SetNow sets the clock behind created_at, updated_at and SimpleAuth
// expiry; nil restores the wall clock.
func (s *Simulator) SetNow(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now == nil {
		now = time.Now
	}
	s.now = now
}

// Requests counts the requests received, front-end pages included.
func (s *Simulator) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// SSOLogins lists the e-mail addresses signed in through SimpleAuth, in order.
func (s *Simulator) SSOLogins() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ssoLogins...)
}

// Users lists the help-desk users (not operators) by id.
func (s *Simulator) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []User{}
	for _, id := range sortedIDs(s.users) {
		out = append(out, s.users[id].view())
	}
	return out
}

// Tickets lists every ticket by id.
func (s *Simulator) Tickets() []Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Ticket{}
	for _, id := range sortedIDs(s.tickets) {
		out = append(out, s.ticketView(s.tickets[id]))
	}
	return out
}

// AddStaffReply posts a reply by the operator to a ticket, as if written
// in the operator panel. It panics on an unknown ticket (a test bug).
func (s *Simulator) AddStaffReply(ticketID int64, html string) Message {
	return s.addStaffMessage("AddStaffReply", ticketID, MessageReply, html)
}

// AddInternalNote adds an operator-only note to a ticket; it panics on an
// unknown ticket.
func (s *Simulator) AddInternalNote(ticketID int64, html string) Message {
	return s.addStaffMessage("AddInternalNote", ticketID, MessageInternalNote, html)
}

func (s *Simulator) addStaffMessage(op string, ticketID int64, typ int, html string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.mustTicket(op, ticketID)
	m := s.addMessage(t, simOperatorID, typ, html, "", false)
	return m.view()
}

// SetStatus moves a ticket to a status (e.g. 2 to close it), touching
// updated_at; it panics on an unknown ticket or status.
func (s *Simulator) SetStatus(ticketID, statusID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.mustTicket("SetStatus", ticketID)
	if s.status(statusID) == nil {
		panic(fmt.Sprintf("supportpal simulator: SetStatus: no status %d", statusID))
	}
	t.StatusID, t.UpdatedAt = statusID, s.now().Unix()
}

// SetLocked locks or unlocks a ticket (a locked ticket takes no customer
// replies), touching updated_at; it panics on an unknown ticket.
func (s *Simulator) SetLocked(ticketID int64, locked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.mustTicket("SetLocked", ticketID)
	t.Locked, t.UpdatedAt = locked, s.now().Unix()
}

func (s *Simulator) mustTicket(op string, id int64) *simTicket {
	t := s.tickets[id]
	if t == nil {
		panic(fmt.Sprintf("supportpal simulator: %s: no ticket %d", op, id))
	}
	return t
}

// ServeHTTP serves the API under /api/, SimpleAuth under /simpleauth/ and
// a bare front end elsewhere, after any injected fault.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	if s.base == "" {
		s.base = "http://" + r.Host
	}
	s.mu.Unlock()
	s.Serve(w, r, func(w http.ResponseWriter, f simfault.Failure) {
		msg := fmt.Sprintf("injected failure %d", f.Status)
		if f.Status == http.StatusTooManyRequests {
			msg = "Too Many Attempts."
		}
		writeError(w, f.Status, msg)
	}, s.serve)
}

func (s *Simulator) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/"):
		s.serveAPI(w, r)
	case r.URL.Path == "/simpleauth/login":
		s.serveSimpleAuth(w, r)
	default:
		s.serveFrontend(w, r)
	}
}

// ---- helpers ----

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers SupportPal's error envelope.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"status": "error", "message": msg, "data": []any{}})
}

func sortedIDs[V any](m map[int64]V) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// newTicketNumber is a random unused 7-digit number, like SupportPal's
// default format.
func (s *Simulator) newTicketNumber() string {
	for {
		n, err := rand.Int(rand.Reader, big.NewInt(9_000_000))
		if err != nil {
			panic("supportpal simulator: " + err.Error())
		}
		num := fmt.Sprintf("%07d", n.Int64()+1_000_000)
		if !s.numbers[num] {
			s.numbers[num] = true
			return num
		}
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
