package supportpalsim

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// simErr is an error envelope to answer.
type simErr struct {
	status int
	msg    string
}

func invalid(format string, a ...any) *simErr {
	return &simErr{http.StatusBadRequest, fmt.Sprintf(format, a...)}
}

func notFound(what string) *simErr { return &simErr{http.StatusNotFound, what + " not found."} }

// simResource is one REST resource: list and create on its path, get and
// update (PUT) on path/{id}. A nil handler answers 405.
type simResource struct {
	list   func(s *Simulator, q url.Values) ([]map[string]any, *simErr)
	get    func(s *Simulator, id int64) (map[string]any, *simErr)
	create func(s *Simulator, b body) (map[string]any, *simErr)
	update func(s *Simulator, id int64, b body) (map[string]any, *simErr)
}

var simResources = map[string]simResource{
	"user/user":         {list: (*Simulator).listUsers, get: (*Simulator).getUser, create: (*Simulator).createUser},
	"ticket/ticket":     {list: (*Simulator).listTickets, get: (*Simulator).getTicket, create: (*Simulator).createTicket, update: (*Simulator).updateTicket},
	"ticket/message":    {list: (*Simulator).listMessages, get: (*Simulator).getMessage, create: (*Simulator).createMessage},
	"ticket/department": {list: (*Simulator).listDepartments, get: (*Simulator).getDepartment},
	"ticket/status":     {list: (*Simulator).listStatuses, get: (*Simulator).getStatus},
	"ticket/priority":   {list: (*Simulator).listPriorities, get: (*Simulator).getPriority},
}

func (s *Simulator) serveAPI(w http.ResponseWriter, r *http.Request) {
	if user, _, ok := r.BasicAuth(); !ok || user == "" || user != s.token {
		w.Header().Set("WWW-Authenticate", `Basic realm="SupportPal API"`)
		writeError(w, http.StatusUnauthorized, "Unauthenticated.")
		return
	}
	path := strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/"), "/")
	var id int64
	hasID := false
	if i := strings.LastIndex(path, "/"); i > 0 {
		if n, err := strconv.ParseInt(path[i+1:], 10, 64); err == nil {
			path, id, hasID = path[:i], n, true
		}
	}
	res, ok := simResources[path]
	if !ok {
		writeError(w, http.StatusNotFound, "Not found.")
		return
	}
	var b body
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		var e *simErr
		if b, e = readBody(r); e != nil {
			writeError(w, e.status, e.msg)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var (
		data  any
		count = -1
		e     *simErr
	)
	switch {
	case r.Method == http.MethodGet && hasID && res.get != nil:
		data, e = res.get(s, id)
	case r.Method == http.MethodGet && !hasID && res.list != nil:
		var items []map[string]any
		if items, e = res.list(s, r.URL.Query()); e == nil {
			data, count, e = page(r.URL.Query(), items)
		}
	case r.Method == http.MethodPost && !hasID && res.create != nil:
		data, e = res.create(s, b)
	case r.Method == http.MethodPut && hasID && res.update != nil:
		data, e = res.update(s, id, b)
	default:
		e = &simErr{http.StatusMethodNotAllowed, "Method not allowed."}
	}
	if e != nil {
		writeError(w, e.status, e.msg)
		return
	}
	env := map[string]any{"status": "success", "message": nil, "data": data}
	if count >= 0 {
		env["count"] = count
	}
	writeJSON(w, http.StatusOK, env)
}

// page sorts items by order_column/order_direction (default id asc) and
// cuts the 1-based start/limit page; count is the number of all items.
func page(q url.Values, items []map[string]any) ([]map[string]any, int, *simErr) {
	start, e := intParam(q, "start", 1)
	if e != nil {
		return nil, 0, e
	}
	limit, e := intParam(q, "limit", 50)
	if e != nil {
		return nil, 0, e
	}
	if start < 1 {
		return nil, 0, invalid("The start must be at least 1.")
	}
	if limit < 1 {
		return nil, 0, invalid("The limit must be at least 1.")
	}
	col := q.Get("order_column")
	if col == "" {
		col = "id"
	}
	dir := strings.ToLower(q.Get("order_direction"))
	if dir == "" {
		dir = "asc"
	}
	if dir != "asc" && dir != "desc" {
		return nil, 0, invalid("The selected order direction is invalid.")
	}
	for _, it := range items {
		v, present := it[col]
		if _, ok := sortKey(v); !present || !ok {
			return nil, 0, invalid("The selected order column is invalid.")
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, _ := sortKey(items[i][col])
		b, _ := sortKey(items[j][col])
		if c := a.compare(b); c != 0 {
			return (c < 0) == (dir == "asc")
		}
		ai, _ := sortKey(items[i]["id"])
		bi, _ := sortKey(items[j]["id"])
		return ai.compare(bi) < 0
	})
	count := len(items)
	from := min(int64(count), start-1)
	to := min(int64(count), from+limit)
	out := items[from:to]
	if out == nil {
		out = []map[string]any{}
	}
	return out, count, nil
}

// key is a sortable column value: a number, a string, or null (first).
type key struct {
	null bool
	num  int64
	str  string
	isS  bool
}

func sortKey(v any) (key, bool) {
	switch x := v.(type) {
	case nil:
		return key{null: true}, true
	case int:
		return key{num: int64(x)}, true
	case int64:
		return key{num: x}, true
	case string:
		return key{str: strings.ToLower(x), isS: true}, true
	}
	return key{}, false
}

func (a key) compare(b key) int {
	switch {
	case a.null || b.null:
		if a.null == b.null {
			return 0
		}
		if a.null {
			return -1
		}
		return 1
	case a.isS && b.isS:
		return strings.Compare(a.str, b.str)
	case a.isS != b.isS:
		if a.isS {
			return 1
		}
		return -1
	case a.num < b.num:
		return -1
	case a.num > b.num:
		return 1
	}
	return 0
}

// ---- request parameters ----

// intParam reads an integer query parameter.
func intParam(q url.Values, name string, def int64) (int64, *simErr) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, invalid("The %s must be an integer.", strings.ReplaceAll(name, "_", " "))
	}
	return n, nil
}

// idsParam reads a comma-separated id list; nil when absent.
func idsParam(q url.Values, name string) (map[int64]bool, *simErr) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return nil, nil
	}
	ids := map[int64]bool{}
	for _, part := range strings.Split(v, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
		if err != nil {
			return nil, invalid("The %s must be an integer or a comma-separated list of integers.", name)
		}
		ids[n] = true
	}
	return ids, nil
}

// body is a decoded request body: JSON (numbers kept exact) or a form.
type body map[string]any

func readBody(r *http.Request) (body, *simErr) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data" {
		if err := r.ParseForm(); err != nil {
			return nil, invalid("The request body could not be read: %v", err)
		}
		b := body{}
		for k, v := range r.PostForm {
			b[k] = v[0]
		}
		return b, nil
	}
	b := body{}
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&b); err != nil {
		return nil, invalid("The request body is not valid JSON: %v", err)
	}
	return b, nil
}

func (b body) has(k string) bool {
	v, ok := b[k]
	return ok && v != nil && v != ""
}

func (b body) str(k string) string {
	switch v := b[k].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

// int reads an integer field; ok is false when it is missing or not an
// integer.
func (b body) int(k string) (int64, bool) {
	var s string
	switch v := b[k].(type) {
	case json.Number:
		s = v.String()
	case string:
		s = strings.TrimSpace(v)
	default:
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// bool reads a flag sent as true/false, 0/1 or their strings; ok is false
// when it is missing or not a flag.
func (b body) bool(k string) (val, ok bool) {
	switch v := b[k].(type) {
	case bool:
		return v, true
	case json.Number:
		s := v.String()
		return s != "0", s == "0" || s == "1"
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "1", "true", "on":
			return true, true
		case "0", "false", "off":
			return false, true
		}
	}
	return false, false
}

// requiredID checks a required id field that must name an existing object.
func (b body) requiredID(k, label string, exists func(int64) bool) (int64, *simErr) {
	if !b.has(k) {
		return 0, invalid("The %s field is required.", label)
	}
	id, ok := b.int(k)
	if !ok {
		return 0, invalid("The %s must be an integer.", label)
	}
	if !exists(id) {
		return 0, invalid("The selected %s is invalid.", label)
	}
	return id, nil
}
