// Package notebooks holds Feedforward's GoNB notebooks. Its tests check how they
// are stored; scripts/run_notebooks.py (make test) executes them.
package notebooks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// SetupCell is the first code cell of every notebook: it points the temporary
// module GoNB compiles cells in at this checkout, so that cells import pkg/ at
// the versions pinned in the library's go.mod.
const SetupCell = `!*go mod edit -require=feedforward.dev/feedforward@v0.0.0 -replace=feedforward.dev/feedforward=$(cd "${GONB_DIR}/.." && pwd) && go mod download`

type notebook struct {
	Cells []struct {
		CellType       string          `json:"cell_type"`
		Source         json.RawMessage `json:"source"`
		Outputs        []any           `json:"outputs"`
		ExecutionCount *int            `json:"execution_count"`
		Metadata       struct {
			Feedforward struct {
				Figures []string `json:"figures"`
			} `json:"feedforward"`
		} `json:"metadata"`
	} `json:"cells"`
	Metadata struct {
		Kernelspec struct {
			Name string `json:"name"`
		} `json:"kernelspec"`
	} `json:"metadata"`
	NBFormat int `json:"nbformat"`
}

func source(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var lines []string
	_ = json.Unmarshal(raw, &lines)
	return strings.Join(lines, "")
}

var (
	nameRE   = regexp.MustCompile(`^\d\d-[a-z0-9-]+\.ipynb$`)
	figureRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	// showRE finds figure.Show(fig, "name") calls with a literal name.
	showRE = regexp.MustCompile(`figure\.Show\([^;\n]*?,\s*"([^"]+)"\)`)
)

func TestNotebooksAreStoredClean(t *testing.T) {
	paths, err := filepath.Glob("*.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no notebooks found in notebooks/")
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			if !nameRE.MatchString(p) {
				t.Errorf("name %q does not follow NN-topic.ipynb", p)
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var nb notebook
			if err := json.Unmarshal(data, &nb); err != nil {
				t.Fatalf("not valid JSON: %v", err)
			}
			if nb.NBFormat != 4 {
				t.Errorf("nbformat %d, want 4", nb.NBFormat)
			}
			if nb.Metadata.Kernelspec.Name != "gonb" {
				t.Errorf("kernelspec %q, want gonb", nb.Metadata.Kernelspec.Name)
			}
			firstCode, markdown := true, 0
			seen := map[string]bool{}
			for i, c := range nb.Cells {
				switch c.CellType {
				case "markdown":
					markdown++
				case "code":
					if len(c.Outputs) > 0 || c.ExecutionCount != nil {
						t.Errorf("cell %d is stored with outputs; clear them (Edit > Clear Outputs of All Cells)", i)
					}
					if firstCode {
						if got := strings.TrimSpace(source(c.Source)); got != SetupCell {
							t.Errorf("first code cell is\n%s\nwant the setup cell\n%s", got, SetupCell)
						}
						firstCode = false
					}
					declared := map[string]bool{}
					for _, f := range c.Metadata.Feedforward.Figures {
						declared[f] = true
					}
					for _, m := range showRE.FindAllStringSubmatch(source(c.Source), -1) {
						if !declared[m[1]] {
							t.Errorf("cell %d shows figure %q without declaring it in its metadata (\"feedforward\": {\"figures\": [...]})", i, m[1])
						}
					}
					for _, f := range c.Metadata.Feedforward.Figures {
						if !figureRE.MatchString(f) || seen[f] {
							t.Errorf("cell %d: figure name %q is invalid or repeated", i, f)
						}
						seen[f] = true
						if !strings.Contains(source(c.Source), `"`+f+`"`) {
							t.Errorf("cell %d declares figure %q but its code never names it", i, f)
						}
					}
				}
			}
			if markdown == 0 {
				t.Error("no markdown cells: notebooks explain what they run")
			}
			if firstCode {
				t.Error("no code cells")
			}
		})
	}
}
