package supportpal

import "context"

// Named is a department or priority: an id and its display name.
type Named struct {
	ID   int64
	Name string
}

// Status is a ticket status. Colour is a CSS colour ("#35a600"); AutoClose
// tells whether tickets in it close by themselves after a while.
type Status struct {
	ID        int64
	Name      string
	Colour    string
	AutoClose bool
	Order     int
}

type wireNamed struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func (w wireNamed) named() Named { return Named{ID: w.ID, Name: w.Name} }

type wireDepartment struct {
	wireNamed
	Public flag `json:"public"`
}

type wireStatus struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Colour    string `json:"colour"`
	AutoClose flag   `json:"auto_close"`
	Order     int    `json:"order"`
}

func (w wireStatus) status() Status {
	return Status{ID: w.ID, Name: w.Name, Colour: w.Colour, AutoClose: bool(w.AutoClose), Order: w.Order}
}

// Departments lists every department, internal ones included.
func (c *Client) Departments(ctx context.Context) ([]Named, error) {
	return c.departments(ctx, false)
}

// PublicDepartments lists the departments customers may open tickets in
// (SupportPal's "public" flag).
func (c *Client) PublicDepartments(ctx context.Context) ([]Named, error) {
	return c.departments(ctx, true)
}

func (c *Client) departments(ctx context.Context, publicOnly bool) ([]Named, error) {
	ws, err := listAll[wireDepartment](ctx, c, "list departments", "ticket/department", nil)
	if err != nil {
		return nil, err
	}
	out := make([]Named, 0, len(ws))
	for _, w := range ws {
		if !publicOnly || bool(w.Public) {
			out = append(out, w.named())
		}
	}
	return out, nil
}

// Priorities lists every ticket priority.
func (c *Client) Priorities(ctx context.Context) ([]Named, error) {
	ws, err := listAll[wireNamed](ctx, c, "list priorities", "ticket/priority", nil)
	if err != nil {
		return nil, err
	}
	out := make([]Named, len(ws))
	for i, w := range ws {
		out[i] = w.named()
	}
	return out, nil
}

// Statuses lists every ticket status.
func (c *Client) Statuses(ctx context.Context) ([]Status, error) {
	ws, err := listAll[wireStatus](ctx, c, "list statuses", "ticket/status", nil)
	if err != nil {
		return nil, err
	}
	out := make([]Status, len(ws))
	for i, w := range ws {
		out[i] = w.status()
	}
	return out, nil
}
