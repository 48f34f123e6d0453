package supportpalsim

import "net/url"

func (s *Simulator) department(id int64) *simDepartment {
	for _, d := range s.departments {
		if d.ID == id {
			return d
		}
	}
	return nil
}

func (s *Simulator) status(id int64) *simStatus {
	for _, st := range s.statuses {
		if st.ID == id {
			return st
		}
	}
	return nil
}

func (s *Simulator) priority(id int64) *simPriority {
	for _, p := range s.priorities {
		if p.ID == id {
			return p
		}
	}
	return nil
}

func departmentJSON(d *simDepartment) map[string]any {
	return map[string]any{"id": d.ID, "name": d.Name, "description": "", "order": d.Order, "parent_id": nil,
		"public": bit(d.Public), "registered_only": 0, "created_at": int64(1597245387), "updated_at": int64(1597245387)}
}

func statusJSON(st *simStatus) map[string]any {
	return map[string]any{"id": st.ID, "name": st.Name, "colour": st.Colour, "auto_close": bit(st.AutoClose),
		"order": st.Order, "created_at": int64(1597245387), "updated_at": int64(1597245387)}
}

func priorityJSON(p *simPriority) map[string]any {
	return map[string]any{"id": p.ID, "name": p.Name, "colour": p.Colour, "order": p.Order,
		"created_at": int64(1597245387), "updated_at": int64(1597245387)}
}

func (s *Simulator) listDepartments(url.Values) ([]map[string]any, *simErr) {
	items := []map[string]any{}
	for _, d := range s.departments {
		items = append(items, departmentJSON(d))
	}
	return items, nil
}

func (s *Simulator) getDepartment(id int64) (map[string]any, *simErr) {
	if d := s.department(id); d != nil {
		return departmentJSON(d), nil
	}
	return nil, notFound("Department")
}

func (s *Simulator) listStatuses(url.Values) ([]map[string]any, *simErr) {
	items := []map[string]any{}
	for _, st := range s.statuses {
		items = append(items, statusJSON(st))
	}
	return items, nil
}

func (s *Simulator) getStatus(id int64) (map[string]any, *simErr) {
	if st := s.status(id); st != nil {
		return statusJSON(st), nil
	}
	return nil, notFound("Status")
}

func (s *Simulator) listPriorities(url.Values) ([]map[string]any, *simErr) {
	items := []map[string]any{}
	for _, p := range s.priorities {
		items = append(items, priorityJSON(p))
	}
	return items, nil
}

func (s *Simulator) getPriority(id int64) (map[string]any, *simErr) {
	if p := s.priority(id); p != nil {
		return priorityJSON(p), nil
	}
	return nil, notFound("Priority")
}
