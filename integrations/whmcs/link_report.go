package whmcs

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"
)

// LinkReport is what a link run found: a tally per platform and every
// service with its outcome.
type LinkReport struct {
	DryRun     bool         `json:"dry_run"`
	StartedAt  time.Time    `json:"started_at"`
	FinishedAt time.Time    `json:"finished_at"`
	Platforms  []*LinkCount `json:"platforms"`
	Services   []LinkEntry  `json:"services"`
	Notes      []string     `json:"notes"`
}

// LinkCount is one platform's tally.
type LinkCount struct {
	Platform      string `json:"platform"`
	Services      int    `json:"services"`
	Linked        int    `json:"linked"`
	AlreadyLinked int    `json:"already_linked"`
	NotFound      int    `json:"not_found"`
	Ambiguous     int    `json:"several_candidates"`
	PanelError    int    `json:"panel_error"`
	NotConfigured int    `json:"platform_not_configured"`
	Conflict      int    `json:"conflict"`
}

// LinkEntry is one service's outcome. Reason says how the server was
// found, or why none was linked.
type LinkEntry struct {
	Service           string `json:"service"`
	WHMCSID           string `json:"whmcs_id"`
	Platform          string `json:"platform"`
	Outcome           string `json:"outcome"`
	PlatformServiceID string `json:"platform_service_id,omitempty"`
	PlatformUserID    string `json:"platform_user_id,omitempty"`
	Reason            string `json:"reason,omitempty"`
}

func (r *LinkReport) add(e LinkEntry) {
	r.Services = append(r.Services, e)
	var c *LinkCount
	for _, x := range r.Platforms {
		if x.Platform == e.Platform {
			c = x
		}
	}
	if c == nil {
		c = &LinkCount{Platform: e.Platform}
		r.Platforms = append(r.Platforms, c)
		sort.Slice(r.Platforms, func(i, j int) bool { return r.Platforms[i].Platform < r.Platforms[j].Platform })
	}
	c.Services++
	switch e.Outcome {
	case LinkLinked:
		c.Linked++
	case LinkAlready:
		c.AlreadyLinked++
	case LinkNotFound:
		c.NotFound++
	case LinkAmbiguous:
		c.Ambiguous++
	case LinkPanelError:
		c.PanelError++
	case LinkNotConfigured:
		c.NotConfigured++
	case LinkConflict:
		c.Conflict++
	}
}

// Unlinked are the services left without a server, in report order.
func (r *LinkReport) Unlinked() []LinkEntry {
	var out []LinkEntry
	for _, e := range r.Services {
		if e.Outcome != LinkLinked && e.Outcome != LinkAlready {
			out = append(out, e)
		}
	}
	return out
}

// PanelErrors counts the services a panel did not answer for: a run to
// repeat, unlike a server that is not there, which staff resolve.
func (r *LinkReport) PanelErrors() int {
	n := 0
	for _, c := range r.Platforms {
		n += c.PanelError
	}
	return n
}

// JSON writes the report as indented JSON.
func (r *LinkReport) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Print writes the report for people: the tally per platform, then every
// service with its outcome.
func (r *LinkReport) Print(w io.Writer) {
	if r.DryRun {
		fmt.Fprintln(w, "DRY RUN: nothing was written; \"linked\" is what a run would link.")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "platform\tservices\tlinked\talready linked\tnot found\tseveral candidates\tpanel error\tnot configured\tconflict")
	var total LinkCount
	for _, c := range r.Platforms {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", c.Platform, c.Services, c.Linked, c.AlreadyLinked,
			c.NotFound, c.Ambiguous, c.PanelError, c.NotConfigured, c.Conflict)
		total.Services += c.Services
		total.Linked += c.Linked
		total.AlreadyLinked += c.AlreadyLinked
		total.NotFound += c.NotFound
		total.Ambiguous += c.Ambiguous
		total.PanelError += c.PanelError
		total.NotConfigured += c.NotConfigured
		total.Conflict += c.Conflict
	}
	fmt.Fprintf(tw, "total\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", total.Services, total.Linked, total.AlreadyLinked,
		total.NotFound, total.Ambiguous, total.PanelError, total.NotConfigured, total.Conflict)
	_ = tw.Flush()
	if len(r.Services) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "WHMCS service\tservice\tplatform\toutcome\tplatform ids\treason")
		for _, e := range r.Services {
			ids := ""
			if e.PlatformServiceID != "" {
				ids = e.PlatformServiceID + " (user " + e.PlatformUserID + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.WHMCSID, e.Service, e.Platform, e.Outcome, ids, e.Reason)
		}
		_ = tw.Flush()
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "Note:", n)
	}
}
