package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/opsdeck/opsdeck/internal/human"
	"github.com/opsdeck/opsdeck/model"
	"github.com/spf13/cobra"
)

// Credentials never come from a flag's value: a command line is kept in
// shell history and shown by ps to every user of the machine. They come
// from a file, from an environment variable named by a flag, or from a
// prompt on the terminal.

// SMTPPasswordEnv is read when no other password source is given.
const SMTPPasswordEnv = "OPSDECK_SMTP_PASSWORD"

// maxSecretFile bounds a password or env file.
const maxSecretFile = 64 << 10

// refuseValueFlag adds a hidden flag under an old name that used to take a
// credential, which now refuses with a line saying what to use instead.
func refuseValueFlag(c *cobra.Command, name, instead string) {
	c.Flags().String(name, "", "")
	c.Flags().MarkHidden(name)
	prev := c.PreRunE
	c.PreRunE = func(cmd *cobra.Command, args []string) error {
		if cmd.Flags().Changed(name) {
			return fmt.Errorf("--%s is no longer accepted: a credential on the command line is kept in shell history and shown by ps; %s", name, instead)
		}
		if prev != nil {
			return prev(cmd, args)
		}
		return nil
	}
}

// readSecretFile reads a credential file; one trailing newline is dropped.
func readSecretFile(field, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", model.Invalid(field, path, "cannot be read ("+errReason(err)+")")
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return "", model.Invalid(field, path, "is not a regular file")
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", model.Invalid(field, path, "cannot be read ("+errReason(err)+")")
	}
	if len(b) > maxSecretFile {
		return "", model.Invalid(field, path, "is larger than "+human.Bytes(maxSecretFile))
	}
	return strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r"), nil
}

func errReason(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// passwordFlags are --password-file and --password-env.
type passwordFlags struct{ file, env string }

func (p *passwordFlags) register(c *cobra.Command, what string) {
	c.Flags().StringVar(&p.file, "password-file", "", what+" password: read it from this file")
	c.Flags().StringVar(&p.env, "password-env", "", what+" password: read it from this environment variable (default "+SMTPPasswordEnv+")")
}

// password resolves the password: --password-file, --password-env, then
// $OPSDECK_SMTP_PASSWORD, then a prompt when stdin is a terminal and
// prompt is set. "" means none was given.
func (p *passwordFlags) password(env *Env, prompt string) (string, error) {
	switch {
	case p.file != "" && p.env != "":
		return "", model.Invalid("password-env", p.env, "cannot be combined with --password-file; give one")
	case p.file != "":
		pw, err := readSecretFile("password-file", p.file)
		if err == nil && pw == "" {
			err = model.Invalid("password-file", p.file, "is empty")
		}
		return pw, err
	case p.env != "":
		pw, ok := os.LookupEnv(p.env)
		if !ok || pw == "" {
			return "", model.Invalid("password-env", p.env, "is not set in the environment")
		}
		return pw, nil
	}
	if pw := os.Getenv(SMTPPasswordEnv); pw != "" {
		return pw, nil
	}
	if f, ok := env.Stdin.(*os.File); ok && prompt != "" && !env.ReadOnly && term.IsTerminal(f.Fd()) {
		fmt.Fprint(env.Stderr, prompt)
		b, err := term.ReadPassword(f.Fd())
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(bytes.TrimSpace(b)), nil
	}
	return "", nil
}

// envInput resolves --env NAME (the value is taken from opsdeck's own
// environment, so it never appears on the command line) and --env-file
// FILE (NAME=value lines) into env lines.
func envInput(names []string, file string) (string, error) {
	var lines []string
	if file != "" {
		b, err := readSecretFile("env-file", file)
		if err != nil {
			return "", err
		}
		ls, err := model.ParseEnv("env-file", b)
		if err != nil {
			return "", err
		}
		lines = append(lines, ls...)
	}
	for _, n := range names {
		for _, name := range strings.Split(n, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if k, _, ok := strings.Cut(name, "="); ok {
				return "", model.Invalid("env", k, "takes a variable NAME, not NAME=value (a value on the command line is kept in shell history): export it and give --env "+k+", or use --env-file")
			}
			v, ok := os.LookupEnv(name)
			if !ok {
				return "", model.Invalid("env", name, "is not set in the environment")
			}
			lines = append(lines, name+"="+v)
		}
	}
	out := strings.Join(lines, "\n")
	if _, err := model.ParseEnv("env", out); err != nil {
		return "", err
	}
	return out, nil
}
