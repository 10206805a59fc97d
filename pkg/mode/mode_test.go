package mode

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestGet(t *testing.T) {
	for _, tc := range []struct {
		env     string
		def     Mode
		want    Mode
		wantErr string
	}{
		{"", Quick, Quick, ""},
		{"", Full, Full, ""},
		{"quick", Full, Quick, ""},
		{"full", Quick, Full, ""},
		{"Full", Quick, Quick, `FEEDFORWARD_MODE="Full" is not a mode`},
		{"fast", Full, Full, `set it to "quick" or "full"`},
	} {
		t.Run(tc.env+"/"+string(tc.def), func(t *testing.T) {
			t.Setenv(EnvVar, tc.env)
			got, err := Get(tc.def)
			if got != tc.want {
				t.Errorf("Get(%q) = %q, want %q", tc.def, got, tc.want)
			}
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestPick(t *testing.T) {
	if Pick(Quick, 1, 2) != 1 || Pick(Full, 1, 2) != 2 || !Quick.IsQuick() || Full.IsQuick() {
		t.Error("Pick/IsQuick disagree with the mode")
	}
}

func Example() {
	os.Setenv(EnvVar, "quick")
	defer os.Unsetenv(EnvVar)
	m, err := Get(Full) // CLIs default to the homework's full specification
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m, Pick(m, 1000, 60000))
	// Output: quick 1000
}
