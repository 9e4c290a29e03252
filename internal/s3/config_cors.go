package s3

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/sekisho/sekisho/internal/store"
)

// maxCORSRules is S3's limit on a CORS configuration.
const maxCORSRules = 100

type corsRule struct {
	ID             string   `xml:"ID"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  *int     `xml:"MaxAgeSeconds"`
}

type corsConfiguration struct {
	XMLName xml.Name   `xml:"CORSConfiguration"`
	Rules   []corsRule `xml:"CORSRule"`
}

var corsConfig = &bucketConfig{
	op: "BucketCors", query: "cors", root: "CORSConfiguration",
	getAction: "s3:GetBucketCORS", putAction: "s3:PutBucketCORS", deleteAction: "s3:PutBucketCORS",
	unset: func(bucket string) *Error {
		return s3Errorf("NoSuchCORSConfiguration", "The CORS configuration does not exist").with("BucketName", bucket)
	},
	validate: validateCORS,
}

// validateCORS: 1 to 100 rules, each with origins and methods S3 knows;
// at most one wildcard per origin or header.
func validateCORS(_ *Service, _ *Request, _ store.Bucket, body []byte) (bool, *Error) {
	var cfg corsConfiguration
	if e := decodeConfig(body, &cfg); e != nil {
		return false, e
	}
	if len(cfg.Rules) == 0 || len(cfg.Rules) > maxCORSRules {
		return false, errMalformedXML()
	}
	for _, r := range cfg.Rules {
		if len(r.AllowedOrigins) == 0 || len(r.AllowedMethods) == 0 || (r.MaxAgeSeconds != nil && *r.MaxAgeSeconds < 0) {
			return false, errMalformedXML()
		}
		if len(r.ID) > 255 {
			return false, errInvalidArgument("ID length should not exceed allowed limit of 255")
		}
		for _, m := range r.AllowedMethods {
			switch m {
			case "GET", "PUT", "HEAD", "POST", "DELETE":
			default:
				return false, s3Errorf("InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is %s", m)
			}
		}
		for _, o := range r.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				return false, s3Errorf("InvalidRequest", "AllowedOrigin %q can not have more than one wildcard.", o)
			}
		}
		for _, h := range r.AllowedHeaders {
			if strings.Count(h, "*") > 1 {
				return false, s3Errorf("InvalidRequest", "AllowedHeader %q can not have more than one wildcard.", h)
			}
		}
	}
	return false, nil
}

// preflight answers a CORS preflight (OPTIONS) request from the bucket's
// CORS configuration. S3 answers it without authentication: it grants
// nothing, it only tells the browser what the configuration allows.
func (s *Service) preflight(w http.ResponseWriter, req *Request) *Error {
	h := req.HTTP.Header
	origin, method := h.Get("Origin"), h.Get("Access-Control-Request-Method")
	if origin == "" {
		return s3Errorf("BadRequest", "Insufficient information. Origin request header needed.")
	}
	if method == "" {
		return s3Errorf("BadRequest", "Invalid Access-Control-Request-Method: null")
	}
	b, e := s.bucket(req.HTTP.Context(), req.Bucket)
	if e != nil {
		return e
	}
	resourceType := "BUCKET"
	if req.Key != "" {
		resourceType = "OBJECT"
	}
	forbidden := func(msg string) *Error {
		return s3Errorf("AccessForbidden", "%s", msg).with("Method", method).with("ResourceType", resourceType)
	}
	doc, found, e := s.loadConfig(req, b.Name, corsConfig.query)
	if e != nil {
		return e
	}
	if !found {
		return forbidden("CORSResponse: CORS is not enabled for this bucket.")
	}
	var cfg corsConfiguration
	if err := xml.Unmarshal([]byte(doc), &cfg); err != nil {
		s.log.Error("stored CORS configuration", "bucket", b.Name, "err", err)
		return errInternal()
	}
	requested := requestedHeaders(h.Get("Access-Control-Request-Headers"))
	rule := matchCORS(cfg.Rules, origin, method, requested)
	if rule == nil {
		return forbidden("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, " +
			"request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.")
	}
	writeCORSHeaders(w.Header(), rule, origin, requested)
	w.Header().Set("x-amz-request-id", req.RequestID)
	w.Header().Set("x-amz-id-2", hostID(req.RequestID))
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

// writeCORSHeaders sets the Access-Control-* headers of a matched rule.
func writeCORSHeaders(h http.Header, rule *corsRule, origin string, requested []string) {
	if len(rule.AllowedOrigins) == 1 && rule.AllowedOrigins[0] == "*" {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	if len(requested) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(requested, ", "))
	}
	if len(rule.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ", "))
	}
	if rule.MaxAgeSeconds != nil {
		h.Set("Access-Control-Max-Age", strconv.Itoa(*rule.MaxAgeSeconds))
	}
	h.Set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
}

// requestedHeaders splits Access-Control-Request-Headers, lower-cased.
func requestedHeaders(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.ToLower(strings.TrimSpace(f)); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// matchCORS returns the first rule allowing the origin, the method and
// every requested header, as S3 evaluates them (in order, first match).
func matchCORS(rules []corsRule, origin, method string, requested []string) *corsRule {
	for i := range rules {
		r := &rules[i]
		if anyGlob(r.AllowedOrigins, origin, false) && contains(r.AllowedMethods, method) && allHeadersAllowed(r.AllowedHeaders, requested) {
			return r
		}
	}
	return nil
}

func allHeadersAllowed(allowed, requested []string) bool {
	for _, h := range requested {
		if !anyGlob(allowed, h, true) {
			return false
		}
	}
	return true
}

// anyGlob reports whether one of the patterns (with a * wildcard)
// matches v; header names compare case-insensitively.
func anyGlob(patterns []string, v string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			p, v = strings.ToLower(p), strings.ToLower(v)
		}
		if wildcardMatch(p, v) {
			return true
		}
	}
	return false
}

// wildcardMatch matches v against p, where one * stands for any run of
// characters (validation allows no more than one).
func wildcardMatch(p, v string) bool {
	prefix, suffix, star := strings.Cut(p, "*")
	if !star {
		return p == v
	}
	return len(v) >= len(prefix)+len(suffix) && strings.HasPrefix(v, prefix) && strings.HasSuffix(v, suffix)
}
