package renewals

// SetBeforeCommit installs the crash simulation of the tests.
func SetBeforeCommit(fn func(batch int) error) { beforeCommit = fn }
