package console

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"path"
	"strings"

	"github.com/sekisho/sekisho/internal/audit"
)

// pageData is what every template gets.
type pageData struct {
	Title       string
	S           *state
	CSRF        string
	Recent      []roleRef
	Error       string
	Flash       string
	Explanation []audit.Explanation
	Data        any
}

var templateFuncs = template.FuncMap{
	"prettyJSON": prettyJSON,
	"statementJSON": func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(b)
	},
	"join": strings.Join,
	"colorStyle": func(c string) template.CSS {
		if hexColor(c) {
			return template.CSS("background:" + c)
		}
		return ""
	},
	"colorClass": func(c string) string {
		if named, ok := roleColors[c]; ok {
			return "role-" + named
		}
		return "role-none"
	},
}

// parsePages parses each page with the layout.
func parsePages() (map[string]*template.Template, error) {
	files, err := templateFiles.ReadDir("templates")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(f.Name(), ".html")
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFiles,
			"templates/layout.html", "templates/_*.html", path.Join("templates", f.Name()))
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, s *state, page string, d pageData) {
	d.S = s
	c.renderStatus(w, r, http.StatusOK, page, d)
}

func (c *Console) renderStatus(w http.ResponseWriter, r *http.Request, status int, page string, d pageData) {
	if d.S == nil {
		d.S = c.load(r)
	}
	if d.CSRF == "" {
		d.CSRF = c.cookies.csrfToken(d.S.ID)
	}
	if d.S.Flash != "" && d.Flash == "" {
		d.Flash = d.S.Flash
		d.S.Flash = ""
		c.save(w, r, d.S)
	}
	if d.S.signedIn(c.cfg.Now()) {
		d.Recent = c.recentRoles(r)
	}
	t, ok := c.pages[page]
	if !ok {
		http.Error(w, "no page "+page, http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, d); err != nil {
		c.cfg.Log.Error("console: render", "page", page, "err", err)
		http.Error(w, "The page could not be drawn.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// prettyJSON indents a JSON document; anything else is shown as it is.
func prettyJSON(doc string) string {
	var out bytes.Buffer
	if json.Indent(&out, []byte(doc), "", "  ") != nil {
		return doc
	}
	return out.String()
}
