package console

import (
	"encoding/xml"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
)

type listBucketsXML struct {
	Buckets []struct {
		Name         string `xml:"Name"`
		CreationDate string `xml:"CreationDate"`
	} `xml:"Buckets>Bucket"`
}

type listObjectsXML struct {
	Contents []struct {
		Key          string `xml:"Key"`
		Size         int64  `xml:"Size"`
		LastModified string `xml:"LastModified"`
	} `xml:"Contents"`
	CommonPrefixes []struct {
		Prefix string `xml:"Prefix"`
	} `xml:"CommonPrefixes"`
	IsTruncated bool `xml:"IsTruncated"`
}

// failure is a refused call with its explanation, for a page to show.
type failure struct {
	Error       string
	Explanation any
}

// showRefusal renders page with e's message and explanation.
func (c *Console) showRefusal(w http.ResponseWriter, r *http.Request, s *state, page, title string, e *apiError, data any) {
	status := e.Status
	if status < 400 {
		status = http.StatusBadRequest
	}
	c.renderStatus(w, r, status, page, pageData{Title: title, S: s, Data: data,
		Error: e.Code + ": " + e.Message, Explanation: c.explain(e.RequestID)})
}

func (c *Console) s3Buckets(w http.ResponseWriter, r *http.Request, s *state) {
	rec, e := c.s3Call(r, s.current(), http.MethodGet, "/", nil, nil, nil)
	if e != nil {
		c.showRefusal(w, r, s, "s3", "S3 buckets", e, nil)
		return
	}
	var out listBucketsXML
	_ = xml.Unmarshal(rec.Body.Bytes(), &out)
	c.render(w, r, s, "s3", pageData{Title: "S3 buckets", Data: out})
}

type bucketPage struct {
	Bucket, Prefix string
	Crumbs         []crumb
	Objects        listObjectsXML
	Upload         string // a refused upload's key
}

type crumb struct{ Name, Prefix string }

func breadcrumbs(prefix string) []crumb {
	var out []crumb
	acc := ""
	for _, part := range strings.Split(strings.TrimSuffix(prefix, "/"), "/") {
		if part == "" {
			continue
		}
		acc += part + "/"
		out = append(out, crumb{Name: part, Prefix: acc})
	}
	return out
}

func (c *Console) listObjects(r *http.Request, s *state, bucket, prefix string) (bucketPage, *apiError) {
	page := bucketPage{Bucket: bucket, Prefix: prefix, Crumbs: breadcrumbs(prefix)}
	q := url.Values{"list-type": {"2"}, "delimiter": {"/"}, "prefix": {prefix}}
	rec, e := c.s3Call(r, s.current(), http.MethodGet, "/"+url.PathEscape(bucket), q, nil, nil)
	if e != nil {
		return page, e
	}
	_ = xml.Unmarshal(rec.Body.Bytes(), &page.Objects)
	return page, nil
}

func (c *Console) s3Bucket(w http.ResponseWriter, r *http.Request, s *state) {
	bucket, prefix := r.FormValue("bucket"), r.FormValue("prefix")
	page, e := c.listObjects(r, s, bucket, prefix)
	if e != nil {
		c.showRefusal(w, r, s, "bucket", bucket, e, page)
		return
	}
	c.render(w, r, s, "bucket", pageData{Title: bucket, Data: page})
}

// s3Download streams an object as an attachment.
func (c *Console) s3Download(w http.ResponseWriter, r *http.Request, s *state) {
	bucket, key := r.FormValue("bucket"), r.FormValue("key")
	rec, e := c.s3Call(r, s.current(), http.MethodGet, objectPath(bucket, key), nil, nil, nil)
	if e != nil {
		page, _ := c.listObjects(r, s, bucket, path.Dir(key)+"/")
		c.showRefusal(w, r, s, "bucket", bucket, e, page)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(key)}))
	_, _ = io.Copy(w, rec.Body)
}

// maxUpload bounds a console upload (the console reads it whole to sign it).
const maxUpload = 32 << 20

func (c *Console) s3Upload(w http.ResponseWriter, r *http.Request, s *state) {
	if r.Method != http.MethodPost {
		http.Redirect(w, r, Prefix+"/s3", http.StatusSeeOther)
		return
	}
	bucket, prefix := r.FormValue("bucket"), r.FormValue("prefix")
	file, header, err := r.FormFile("file")
	if err != nil {
		page, _ := c.listObjects(r, s, bucket, prefix)
		c.renderStatus(w, r, http.StatusBadRequest, "bucket", pageData{Title: bucket, S: s, Data: page, Error: "Choose a file to upload."})
		return
	}
	defer file.Close()
	body, err := io.ReadAll(io.LimitReader(file, maxUpload+1))
	if err != nil || len(body) > maxUpload {
		page, _ := c.listObjects(r, s, bucket, prefix)
		c.renderStatus(w, r, http.StatusRequestEntityTooLarge, "bucket", pageData{Title: bucket, S: s, Data: page, Error: "The console uploads files of at most 32 MiB."})
		return
	}
	key := prefix + path.Base(header.Filename)
	ctype := header.Header.Get("Content-Type")
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	_, e := c.s3Call(r, s.current(), http.MethodPut, objectPath(bucket, key), nil, body, http.Header{"Content-Type": {ctype}})
	if e != nil {
		page, _ := c.listObjects(r, s, bucket, prefix)
		page.Upload = key
		c.showRefusal(w, r, s, "bucket", bucket, e, page)
		return
	}
	s.Flash = "Uploaded " + key + "."
	c.save(w, r, s)
	http.Redirect(w, r, Prefix+"/s3/bucket?bucket="+url.QueryEscape(bucket)+"&prefix="+url.QueryEscape(prefix), http.StatusSeeOther)
}

func (c *Console) s3Delete(w http.ResponseWriter, r *http.Request, s *state) {
	if r.Method != http.MethodPost {
		http.Redirect(w, r, Prefix+"/s3", http.StatusSeeOther)
		return
	}
	bucket, key := r.FormValue("bucket"), r.FormValue("key")
	prefix := strings.TrimPrefix(path.Dir(key)+"/", "./")
	if _, e := c.s3Call(r, s.current(), http.MethodDelete, objectPath(bucket, key), nil, nil, nil); e != nil {
		page, _ := c.listObjects(r, s, bucket, prefix)
		c.showRefusal(w, r, s, "bucket", bucket, e, page)
		return
	}
	s.Flash = "Deleted " + key + "."
	c.save(w, r, s)
	http.Redirect(w, r, Prefix+"/s3/bucket?bucket="+url.QueryEscape(bucket)+"&prefix="+url.QueryEscape(prefix), http.StatusSeeOther)
}

type policyPage struct {
	Bucket, Policy string
	None           bool
}

// s3Policy shows and edits a bucket policy; S3's validation errors show inline.
func (c *Console) s3Policy(w http.ResponseWriter, r *http.Request, s *state) {
	bucket := r.FormValue("bucket")
	q := url.Values{"policy": {""}}
	if r.Method == http.MethodPost {
		doc := r.FormValue("policy")
		page := policyPage{Bucket: bucket, Policy: doc}
		_, e := c.s3Call(r, s.current(), http.MethodPut, "/"+url.PathEscape(bucket), q, []byte(doc), nil)
		if e != nil {
			c.showRefusal(w, r, s, "policy", bucket+" policy", e, page)
			return
		}
		s.Flash = "Bucket policy saved."
		c.save(w, r, s)
		http.Redirect(w, r, Prefix+"/s3/policy?bucket="+url.QueryEscape(bucket), http.StatusSeeOther)
		return
	}
	rec, e := c.s3Call(r, s.current(), http.MethodGet, "/"+url.PathEscape(bucket), q, nil, nil)
	page := policyPage{Bucket: bucket}
	switch {
	case e != nil && e.Code == "NoSuchBucketPolicy":
		page.None = true
	case e != nil:
		c.showRefusal(w, r, s, "policy", bucket+" policy", e, page)
		return
	default:
		page.Policy = prettyJSON(rec.Body.String())
	}
	c.render(w, r, s, "policy", pageData{Title: bucket + " policy", Data: page})
}
