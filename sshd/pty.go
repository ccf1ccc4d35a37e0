package sshd

import (
	"charm.land/ssh"
)

// ptyInfo is a session's terminal as the client asked for it, and the
// channel its later sizes arrive on.
type ptyInfo struct {
	pty     ssh.Pty
	windows <-chan ssh.Window
}

type ptyKey struct{}

// capturePty emulates the PTY (the console writes through the channel, as
// ssh.EmulatePty does) and records the terminal when the client requests
// it. The library's Session.Pty copies a struct that its request loop
// rewrites on every window change, unsynchronised, so reading it from the
// session's handler is a data race; here it is read on the request loop
// itself, and the handler reads the copy from the context.
func capturePty() ssh.Option {
	return func(srv *ssh.Server) error {
		if err := ssh.EmulatePty()(srv); err != nil {
			return err
		}
		emulate := srv.PtyHandler
		srv.PtyHandler = func(ctx ssh.Context, sess ssh.Session, p ssh.Pty) (func() error, error) {
			closer, err := emulate(ctx, sess, p)
			if err == nil {
				_, windows, _ := sess.Pty()
				ctx.SetValue(ptyKey{}, ptyInfo{pty: p, windows: windows})
			}
			return closer, err
		}
		return nil
	}
}

// sessionPty is the terminal captured for sess, if it asked for one.
func sessionPty(sess ssh.Session) (ptyInfo, bool) {
	p, ok := sess.Context().Value(ptyKey{}).(ptyInfo)
	return p, ok
}
