// Package model holds opsdeck's domain types and the rules that govern them:
// validation, enumerations, sanitizing of untrusted text. It performs no I/O
// and imports nothing else of opsdeck, so every other package can depend on it.
package model
