package pterodactylsim

// AddLocation adds a location (id, short code) deploys may choose; the
// simulator starts with location 1 ("fra").
func (s *Simulator) AddLocation(id int, short string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.locations[id] = short
}
