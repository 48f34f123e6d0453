package stripe

import "syscall"

func init() {
	stripeMockProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
