// Package prose holds small helpers for the sentences that Feedforward's
// analyses compute from results (package learningcurve's and denseres'
// observations in notebooks 04 and 05).
package prose

import "strings"

// AndList joins parts as "a", "a and b" or "a, b and c"; no parts give "".
func AndList(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
