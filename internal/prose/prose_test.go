package prose

import "testing"

func TestAndList(t *testing.T) {
	for _, tc := range []struct {
		parts []string
		want  string
	}{
		{nil, ""},
		{[]string{"a"}, "a"},
		{[]string{"a", "b"}, "a and b"},
		{[]string{"a", "b", "c"}, "a, b and c"},
	} {
		if got := AndList(tc.parts); got != tc.want {
			t.Errorf("AndList(%q) = %q, want %q", tc.parts, got, tc.want)
		}
	}
}
