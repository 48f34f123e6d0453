package support

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/supportpal"
	"github.com/ezscale/ezscale/internal/htmlsafe"
)

// Ticket is a ticket as the portal shows it. ID is SupportPal's ticket id:
// the portal's ticket page and the reply email link to it.
type Ticket struct {
	ID           int64       `json:"id"`
	Number       string      `json:"number"`
	Subject      string      `json:"subject"`
	Status       string      `json:"status"`
	StatusColour string      `json:"status_colour"`
	Closed       bool        `json:"closed"`
	Priority     string      `json:"priority"`
	Department   string      `json:"department"`
	CreatedAt    time.Time   `json:"created_at,omitzero"`
	UpdatedAt    time.Time   `json:"updated_at,omitzero"`
	LastReplyAt  time.Time   `json:"last_reply_at,omitzero"`
	LastReplyBy  string      `json:"last_reply_by"` // staff, customer or ""
	Service      *ServiceRef `json:"service"`
	// The thread view adds these.
	FrontendURL string `json:"frontend_url,omitzero"`
	Locked      bool   `json:"locked,omitzero"`
}

// ServiceRef names the service a ticket is about.
type ServiceRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Message is a reply as the portal shows it: HTML sanitised here, so no
// script or event handler from either side ever reaches a browser.
type Message struct {
	ID        int64     `json:"id"`
	Author    string    `json:"author"` // staff or customer
	Name      string    `json:"name"`
	HTML      string    `json:"html"`
	CreatedAt time.Time `json:"created_at"`
}

// Thread is a ticket with its visible messages, oldest first.
type Thread struct {
	Ticket   Ticket    `json:"ticket"`
	Messages []Message `json:"messages"`
}

// mirrorView is a mirror row as the list shows it.
func mirrorView(row *core.Record, service *ServiceRef) Ticket {
	return Ticket{
		ID: int64(row.GetInt("supportpal_id")), Number: row.GetString("number"), Subject: row.GetString("subject"),
		Status: row.GetString("status"), StatusColour: row.GetString("status_colour"), Closed: row.GetBool("closed"),
		Priority: row.GetString("priority"), Department: row.GetString("department"),
		UpdatedAt: row.GetDateTime("remote_updated_at").Time(), LastReplyAt: row.GetDateTime("last_reply_at").Time(),
		LastReplyBy: row.GetString("last_reply_by"), Service: service,
	}
}

// threadView is a ticket read from SupportPal with its visible messages.
func threadView(t *supportpal.Ticket, msgs []supportpal.Message, service *ServiceRef) Thread {
	view := Ticket{
		ID: t.ID, Number: t.Number, Subject: t.Subject, Status: t.Status.Name, StatusColour: t.Status.Colour,
		Closed: isClosed(t), Priority: t.Priority.Name, Department: t.Department.Name,
		CreatedAt: unix(t.CreatedAt), UpdatedAt: unix(t.UpdatedAt), Service: service,
		FrontendURL: t.FrontendURL, Locked: t.Locked,
	}
	out := Thread{Messages: []Message{}}
	for i := range msgs {
		m := &msgs[i]
		if !visible(m) {
			continue
		}
		out.Messages = append(out.Messages, messageView(t, m))
		view.LastReplyAt, view.LastReplyBy = unix(m.CreatedAt), author(t, m)
	}
	out.Ticket = view
	return out
}

func messageView(t *supportpal.Ticket, m *supportpal.Message) Message {
	html := m.PurifiedText
	if html == "" {
		html = m.Text
	}
	return Message{ID: m.ID, Author: author(t, m), Name: m.UserName, HTML: htmlsafe.Sanitize(html), CreatedAt: unix(m.CreatedAt)}
}

// serviceRef names a service record, nil for none.
func serviceRef(svc *provisioning.Service) *ServiceRef {
	if svc == nil {
		return nil
	}
	return &ServiceRef{ID: svc.Id, Name: notify.ServiceLabel(svc.ProxyRecord())}
}
