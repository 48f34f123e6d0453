package simfault

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	var f Faults
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.Serve(w, r, func(w http.ResponseWriter, fail Failure) { w.WriteHeader(fail.Status) },
			func(w http.ResponseWriter, r *http.Request) {
				calls++
				io.WriteString(w, "ok")
			})
	}))
	defer srv.Close()
	post := func() (*http.Response, error) { return http.Post(srv.URL, "text/plain", nil) }

	f.FailNext(2, http.StatusTooManyRequests, 1500*time.Millisecond)
	for i := 0; i < 2; i++ {
		res, err := post()
		if err != nil || res.StatusCode != 429 || res.Header.Get("Retry-After") != "2" {
			t.Fatalf("failure %d: %v %v", i, res, err)
		}
	}
	f.DropNextResponse()
	if res, err := http.Get(srv.URL); err != nil || res.StatusCode != 200 {
		t.Fatalf("a GET is not dropped by DropNextResponse: %v %v", res, err)
	}
	if _, err := post(); err == nil {
		t.Fatal("the dropped POST got an answer")
	}
	if calls != 2 {
		t.Errorf("the dropped request was not served: %d calls", calls)
	}
	f.SetLatency(30 * time.Millisecond)
	start := time.Now()
	if res, err := post(); err != nil || res.StatusCode != 200 || time.Since(start) < 30*time.Millisecond {
		t.Errorf("latency: %v %v after %v", res, err, time.Since(start))
	}
	f.SetLatency(0)
	f.FailNext(3, http.StatusBadGateway, 0)
	f.Recover()
	if res, err := post(); err != nil || res.StatusCode != 200 {
		t.Errorf("after Recover: %v %v", res, err)
	}
}
