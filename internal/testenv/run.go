package testenv

import (
	"bytes"
	"errors"
	"os/exec"
)

// Run runs cmd and returns what it wrote to stdout and to stderr and its
// exit code. err is a failure to run it at all (no such program), never a
// non-zero exit: that is the code.
func Run(cmd *exec.Cmd) (stdout, stderr string, code int, err error) {
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code, err = ee.ExitCode(), nil
	}
	return out.String(), errb.String(), code, err
}
