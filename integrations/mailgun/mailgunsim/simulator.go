package mailgunsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Simulator speaks the part of Mailgun's API the Sender uses, over real
// HTTP: POST /v3/{domain}/messages (Basic auth "api", multipart form) and
// GET /v3/{domain}/events filtered by message-id and event. It keeps what
// it accepted, so tests count deliveries per Message-Id. (mailgun-go's own
// mock server ignores a custom Message-Id and the events filters.)
type Simulator struct {
	Domain, APIKey string

	srv  *httptest.Server
	mu   sync.Mutex
	got  []Received
	fail []int // statuses to answer the next sends with
	seq  int
}

// Received is one accepted message.
type Received struct {
	MessageID, From, To, Subject, Text, HTML string
	Tags                                     []string
	Variables                                map[string]string
	Attachments                              map[string][]byte
	At                                       time.Time
}

// New starts a simulator for domain and key; Close stops it.
func New(domain, key string) *Simulator {
	s := &Simulator{Domain: domain, APIKey: key}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v3/{domain}/messages", s.messages)
	mux.HandleFunc("GET /v3/{domain}/events", s.events)
	s.srv = httptest.NewServer(s.auth(mux))
	return s
}

// APIBase is the base to configure (MAILGUN_API_BASE), ending in /v3.
func (s *Simulator) APIBase() string { return s.srv.URL + "/v3" }

// Close stops the server.
func (s *Simulator) Close() { s.srv.Close() }

// FailNext answers the next sends with these statuses, in order.
func (s *Simulator) FailNext(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = append(s.fail, statuses...)
}

// Received lists the accepted messages in order.
func (s *Simulator) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.got...)
}

// Count is how many accepted messages carried this Message-Id.
func (s *Simulator) Count(messageID string) int {
	n := 0
	for _, r := range s.Received() {
		if r.MessageID == messageID {
			n++
		}
	}
	return n
}

func (s *Simulator) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, key, ok := r.BasicAuth()
		if !ok || user != "api" || key != s.APIKey {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, "Forbidden")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Simulator) messages(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("domain") != s.Domain {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Domain not found: " + r.PathValue("domain")})
		return
	}
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "malformed form: " + err.Error()})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.fail) > 0 {
		status := s.fail[0]
		s.fail = s.fail[1:]
		writeJSON(w, status, map[string]string{"message": http.StatusText(status)})
		return
	}
	f := r.MultipartForm
	get := func(k string) string {
		if v := f.Value[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if get("from") == "" || get("to") == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "'from' and 'to' parameters are missing"})
		return
	}
	s.seq++
	id := get("h:Message-Id")
	if id == "" {
		id = fmt.Sprintf("<%s.%d@%s>", time.Now().UTC().Format("20060102150405"), s.seq, s.Domain)
	}
	rec := Received{MessageID: id, From: get("from"), To: get("to"), Subject: get("subject"), Text: get("text"),
		HTML: get("html"), Tags: f.Value["o:tag"], Variables: map[string]string{}, Attachments: map[string][]byte{}, At: time.Now().UTC()}
	for k, v := range f.Value {
		if name, ok := strings.CutPrefix(k, "v:"); ok && len(v) > 0 {
			rec.Variables[name] = v[0]
		}
	}
	for _, fh := range f.File["attachment"] {
		file, err := fh.Open()
		if err != nil {
			continue
		}
		data, _ := io.ReadAll(file)
		_ = file.Close()
		rec.Attachments[fh.Filename] = data
	}
	s.got = append(s.got, rec)
	writeJSON(w, http.StatusOK, map[string]string{"id": id, "message": "Queued. Thank you."})
}

// events answers with "accepted" events of the accepted messages matching
// the message-id filter (without angle brackets, as Mailgun stores it).
func (s *Simulator) events(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit = 100
	}
	items := []map[string]any{}
	if ev := q.Get("event"); ev == "" || ev == "accepted" {
		for _, m := range s.Received() {
			bare := strings.Trim(m.MessageID, "<>")
			if want := q.Get("message-id"); want != "" && want != bare {
				continue
			}
			if len(items) == limit {
				break
			}
			items = append(items, map[string]any{
				"event": "accepted", "id": fmt.Sprintf("ev-%d", len(items)+1),
				"timestamp": float64(m.At.UnixNano()) / 1e9, "recipient": m.To,
				"message":        map[string]any{"headers": map[string]any{"message-id": bare, "to": m.To, "from": m.From, "subject": m.Subject}},
				"user-variables": m.Variables,
			})
		}
	}
	next := "http://" + r.Host + r.URL.Path + "?page=next&" + q.Encode()
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "paging": map[string]string{"next": next, "previous": next, "first": next, "last": next}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
