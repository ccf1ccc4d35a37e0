package checks

import (
	"testing"

	"github.com/opsdeck/opsdeck/internal/testenv"
)

// TestMain keeps the credential key in a temporary directory.
func TestMain(m *testing.M) { testenv.Main(m) }
