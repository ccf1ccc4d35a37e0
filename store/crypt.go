package store

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"

	"github.com/adrg/xdg"
	"github.com/opsdeck/opsdeck/model"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/hkdf"
)

// KeyFileEnv names the environment variable that points at the key file
// instead of the XDG config directory (tests use a t.TempDir()).
const KeyFileEnv = "OPSDECK_KEY_FILE"

// sealPrefix starts every encrypted value: the version says which scheme
// (XChaCha20-Poly1305 under a key derived from the key file) sealed it.
const sealPrefix = "enc:v1:"

// KeyFilePath is where the key that encrypts credentials lives: outside
// the database, so a copy of the database or of a backup holds ciphertext
// only. $OPSDECK_KEY_FILE, else opsdeck/secret.key in the XDG config dir.
func KeyFilePath() string {
	if p := os.Getenv(KeyFileEnv); p != "" {
		return p
	}
	return filepath.Join(xdg.ConfigHome, "opsdeck", "secret.key")
}

// keyring holds the keys derived from the key file.
type keyring struct {
	enc   []byte // XChaCha20-Poly1305 key
	fpKey []byte // HMAC key for fingerprints
	id    string // names the key, recorded in the database
}

func deriveKeys(master []byte) (*keyring, error) {
	k := &keyring{}
	for _, d := range []struct {
		info string
		out  *[]byte
	}{{"opsdeck enc v1", &k.enc}, {"opsdeck fingerprint v1", &k.fpKey}} {
		b := make([]byte, 32)
		if _, err := io.ReadFull(hkdf.New(sha256.New, master, nil, []byte(d.info)), b); err != nil {
			return nil, err
		}
		*d.out = b
	}
	m := hmac.New(sha256.New, master)
	m.Write([]byte("opsdeck key id"))
	k.id = hex.EncodeToString(m.Sum(nil))[:16]
	return k, nil
}

// seal encrypts v; "" stays "".
func (k *keyring) seal(v string) (string, error) {
	if v == "" || strings.HasPrefix(v, sealPrefix) {
		return v, nil
	}
	aead, err := chacha20poly1305.NewX(k.enc)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(v)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return sealPrefix + base64.RawStdEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(v), nil)), nil
}

// open decrypts a sealed value; anything else is returned as it is.
func (k *keyring) open(v string) (string, error) {
	b64, ok := strings.CutPrefix(v, sealPrefix)
	if !ok {
		return v, nil
	}
	raw, err := base64.RawStdEncoding.DecodeString(b64)
	aead, aerr := chacha20poly1305.NewX(k.enc)
	if err != nil || aerr != nil || len(raw) < aead.NonceSize() {
		return "", errors.New("damaged encrypted value")
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("cannot decrypt a credential with the key %s (is it the key this database was encrypted with?)", k.id)
	}
	return string(plain), nil
}

// fingerprint is a short keyed hash of v: the same value gives the same
// fingerprint, a change gives another, and without the key nobody can
// test guesses against it.
func (k *keyring) fingerprint(v string) string {
	m := hmac.New(sha256.New, k.fpKey)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil))[:8]
}

// tokenHash is how a ping token is looked up: an incoming ping is hashed
// and compared, so the token itself is stored only encrypted. Tokens are
// 96 random bits, so an unkeyed hash cannot be reversed by guessing.
func tokenHash(token string) string {
	if token == "" {
		return ""
	}
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

const keyFileHeader = "# opsdeck secret key: it decrypts the credentials stored in opsdeck databases.\n# Back it up apart from the database; without it those credentials must be entered again.\n"

// loadKeyFile reads the key at path. With create, a missing file is
// created (mode 0600, in a 0700 directory). A key readable by group or
// others is refused: it would let anyone who can read it decrypt.
func loadKeyFile(path string, create bool) ([]byte, error) {
	for range 2 {
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			if !create {
				return nil, err
			}
			if err := createKeyFile(path); err != nil && !errors.Is(err, fs.ErrExist) {
				return nil, err
			}
			continue // read back what was written (or what a racing process wrote)
		}
		if err != nil {
			return nil, fmt.Errorf("key file %s: %w", path, err)
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return nil, fmt.Errorf("key file %s: %w", path, err)
		}
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("key file %s is not a regular file", path)
		}
		if st.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("key file %s is readable by group or others (mode %04o); run: chmod 600 %s", path, st.Mode().Perm(), path)
		}
		b, err := io.ReadAll(io.LimitReader(f, 4096))
		if err != nil {
			return nil, fmt.Errorf("key file %s: %w", path, err)
		}
		var line []byte
		for _, l := range bytes.Split(b, []byte("\n")) {
			if l = bytes.TrimSpace(l); len(l) > 0 && l[0] != '#' {
				line = l
				break
			}
		}
		key, err := base64.StdEncoding.DecodeString(string(line))
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("key file %s is not an opsdeck key (want one line of base64, 32 bytes)", path)
		}
		return key, nil
	}
	return nil, fmt.Errorf("key file %s: could not be created", path)
}

func createKeyFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create key file %s: %w", path, err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		return fmt.Errorf("create key file %s: %w", path, err)
	}
	_, err = f.WriteString(keyFileHeader + base64.StdEncoding.EncodeToString(key) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("create key file %s: %w", path, err)
	}
	return nil
}

// keys is the store's key, loaded once (shared by every view of a Store).
type keys struct {
	path string
	mu   sync.Mutex
	k    *keyring
}

// keyring returns the key, loading it on first use; create makes one when
// there is none and the database has never been given one. A database
// whose credentials were sealed with a key that is missing or different is
// refused with a line that says what to do.
func (s *Store) keyring(ctx context.Context, q querier, create bool) (*keyring, error) {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	if s.keys.k != nil {
		return s.keys.k, nil
	}
	var recorded string
	if err := q.QueryRowContext(ctx, `SELECT value FROM opsdeck_meta WHERE name = 'key_id'`).Scan(&recorded); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("read key id: %w", err)
	}
	path := s.keys.path
	master, err := loadKeyFile(path, create && recorded == "")
	if errors.Is(err, fs.ErrNotExist) {
		if recorded != "" {
			return nil, fmt.Errorf("this database's credentials are encrypted with key %s, but the key file %s does not exist: restore it from your backup (or set %s to where it is); see docs/secrets.md", recorded, path, KeyFileEnv)
		}
		return nil, fmt.Errorf("no key file at %s: %w", path, err)
	}
	if err != nil {
		return nil, err
	}
	k, err := deriveKeys(master)
	if err != nil {
		return nil, err
	}
	if recorded != "" && recorded != k.id {
		return nil, keyMismatch(path, k.id, recorded)
	}
	s.keys.k = k
	return k, nil
}

// ErrWrongKey is a key file that is not the one the database's credentials
// are encrypted with.
var ErrWrongKey = errors.New("wrong credential key")

func keyMismatch(path, have, recorded string) error {
	return refuse(ErrWrongKey, "the key file %s holds key %s, but this database's credentials are encrypted with key %s: point %s at the right key file (every host of a pair reads the same key; see docs/secrets.md)", path, have, recorded, KeyFileEnv)
}

// CheckKey makes sure this process can open the database's credentials
// before it starts serving or scheduling: a host of an active/standby pair
// whose key file differs from the one the credentials were sealed with (or
// lacks it) refuses with one line at start, rather than failing each
// probe, notification and backup later. A database with no credentials
// sealed yet passes; the first seal records its key.
func (s *Store) CheckKey(ctx context.Context) error {
	id, err := s.KeyID(ctx)
	if err != nil || id == "" {
		return err
	}
	k, err := s.keyring(ctx, s.r, false)
	if err != nil {
		return err
	}
	if k.id != id { // a key loaded before another host recorded its own
		return keyMismatch(s.keys.path, k.id, id)
	}
	return nil
}

// reveal is how much of a credential a view of the store hands out.
type reveal uint8

const (
	revealNone  reveal = iota // every credential masked (the default)
	revealAdmin               // ping tokens clear, the rest masked
	revealAll                 // everything clear: for the code that uses credentials
)

// For is the view of the store an actor reads through: credentials come
// back masked (an admin also sees ping tokens, to hand them to a job).
// This is where output is redacted, so no front end can forget to.
func (s *Store) For(a model.Actor) *Store {
	c := *s
	c.level = revealNone
	if a.IsAdmin() {
		c.level = revealAdmin
	}
	return &c
}

// WithCredentials is the view whose reads carry credentials in clear: for
// the code that uses them (probes, notifiers, backup commands), never for
// output.
func (s *Store) WithCredentials() *Store {
	c := *s
	c.level = revealAll
	return &c
}

// KeyID names the key this database's credentials are encrypted with ("" if none yet).
func (s *Store) KeyID(ctx context.Context) (string, error) {
	var id string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM opsdeck_meta WHERE name = 'key_id'`).Scan(&id)
	if isNoRows(err) {
		return "", nil
	}
	return id, err
}

// decrypt opens rec's sealed fields in place.
func (s *Store) decrypt(ctx context.Context, q querier, rec model.Secretive) error {
	for _, f := range rec.SecretFields() {
		if !strings.HasPrefix(*f.Value, sealPrefix) {
			continue
		}
		k, err := s.keyring(ctx, q, false)
		if err != nil {
			return err
		}
		if *f.Value, err = k.open(*f.Value); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	return nil
}

// fingerprinter is the key's fingerprint function, loading the key only
// when a credential is actually masked.
func (s *Store) fingerprinter(ctx context.Context, q querier) model.Fingerprint {
	return func(v string) string {
		k, err := s.keyring(ctx, q, true)
		if err != nil {
			return "????????"
		}
		return k.fingerprint(v)
	}
}

// present turns records read from the database into what this view hands
// out: decrypted, then masked unless the view reveals them.
func present[T any, P interface {
	*T
	model.Secretive
}](ctx context.Context, s *Store, recs ...*T) error {
	for _, r := range recs {
		if err := s.decrypt(ctx, s.r, P(r)); err != nil {
			return err
		}
		if s.level != revealAll {
			model.MaskRecord(P(r), s.fingerprinter(ctx, s.r), s.level == revealAdmin)
		}
	}
	return nil
}

// presentAll is present over a slice.
func presentAll[T any, P interface {
	*T
	model.Secretive
}](ctx context.Context, s *Store, recs []T) error {
	for i := range recs {
		if err := present[T, P](ctx, s, &recs[i]); err != nil {
			return err
		}
	}
	return nil
}

// open decrypts a record read inside the transaction (writes see clear values).
func (t *Tx) open(rec model.Secretive) error { return t.s.decrypt(t.ctx, t.tx, rec) }

// seal encrypts rec's credentials in place, for writing; the key is
// created on first use and its id recorded in the database.
func (t *Tx) seal(rec model.Secretive) error {
	var k *keyring
	for _, f := range rec.SecretFields() {
		if !model.HoldsSecret(f.Secret, *f.Value) || strings.HasPrefix(*f.Value, sealPrefix) {
			continue
		}
		if k == nil {
			var err error
			if k, err = t.s.keyring(t.ctx, t.tx, true); err != nil {
				return err
			}
			if _, err := t.exec(`INSERT OR IGNORE INTO opsdeck_meta(name, value) VALUES ('key_id', ?)`, k.id); err != nil {
				return fmt.Errorf("record key id: %w", err)
			}
			// Two hosts of a pair, each with its own new key, may both
			// have found no key recorded: the first to record its key wins,
			// and the other must not seal with a key nobody can open.
			var recorded string
			if err := t.tx.QueryRowContext(t.ctx, `SELECT value FROM opsdeck_meta WHERE name = 'key_id'`).Scan(&recorded); err != nil {
				return fmt.Errorf("read key id: %w", err)
			}
			if recorded != k.id {
				return keyMismatch(t.s.keys.path, k.id, recorded)
			}
		}
		v, err := k.seal(*f.Value)
		if err != nil {
			return fmt.Errorf("encrypt %s: %w", f.Name, err)
		}
		*f.Value = v
	}
	return nil
}

// keepMasked undoes an edit that only wrote back what a view showed: a
// form or a copied record that still holds "•••• sha256:…" keeps the
// stored credential rather than storing the mask.
func (t *Tx) keepMasked(before, after model.Secretive) {
	fp := t.s.fingerprinter(t.ctx, t.tx)
	b := before.SecretFields()
	for i, f := range after.SecretFields() {
		old := *b[i].Value
		if old != "" && *f.Value != old && *f.Value == model.Mask(f.Secret, old, fp) {
			*f.Value = old
		}
	}
}

// maskForAudit is the copy of v an audit row stores: every credential
// masked with its fingerprint (whoever reads the log, whatever their role).
// Any record whose field table marks secrets is masked, value or pointer.
func (t *Tx) maskForAudit(v any) any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return v
	}
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return v
		}
		rv = rv.Elem()
	}
	cp := reflect.New(rv.Type())
	cp.Elem().Set(rv)
	rec, ok := cp.Interface().(model.Secretive)
	if !ok {
		return v
	}
	model.MaskRecord(rec, t.s.fingerprinter(t.ctx, t.tx), false)
	return cp.Elem().Interface()
}

// Redact masks rec as this view masks what it reads: for records a write
// hands back (add, edit) before they are printed.
func (s *Store) Redact(rec model.Secretive) {
	if s.level != revealAll {
		model.MaskRecord(rec, s.fingerprinter(context.Background(), s.r), s.level == revealAdmin)
	}
}
