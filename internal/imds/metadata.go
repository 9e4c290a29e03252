package imds

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// imdsTime is the timestamp layout IMDS uses (botocore parses it with
// %Y-%m-%dT%H:%M:%SZ).
const imdsTime = "2006-01-02T15:04:05Z"

// Metadata tree paths, relative to /latest, without trailing slashes.
const (
	tokenPath    = "/api/token"
	credsPath    = "/meta-data/iam/security-credentials"
	iamPath      = "/meta-data/iam"
	iamInfoPath  = "/meta-data/iam/info"
	identityPath = "/dynamic/instance-identity/document"
)

// directories are the fixed directory listings.
var directories = map[string]string{
	"":                           "dynamic\nmeta-data",
	"/meta-data/placement":       "availability-zone\nregion",
	iamPath:                      "info\nsecurity-credentials/",
	"/dynamic":                   "instance-identity/",
	"/dynamic/instance-identity": "document",
}

// serveInstance handles /latest/... for st; rest starts with /latest.
func (s *Service) serveInstance(w http.ResponseWriter, r *http.Request, st *instanceState, rest string) {
	if st == nil || (rest != LatestPrefix && !strings.HasPrefix(rest, LatestPrefix+"/")) {
		notFound(w)
		return
	}
	rel := strings.TrimPrefix(rest, LatestPrefix)
	if rel == tokenPath {
		s.serveToken(w, r, st)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeStatus(w, http.StatusMethodNotAllowed)
		return
	}
	if !s.authorized(w, r, st) {
		return
	}
	s.serveMeta(w, r, st, rel)
}

// serveToken answers PUT /latest/api/token with a session token.
func (s *Service) serveToken(w http.ResponseWriter, r *http.Request, st *instanceState) {
	if r.Method != http.MethodPut {
		w.Header().Set("Allow", http.MethodPut)
		writeStatus(w, http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("X-Forwarded-For") != "" {
		writeStatus(w, http.StatusForbidden) // IMDS refuses tokens to proxied callers
		return
	}
	ttl, err := parseTTL(r.Header.Get(TokenTTLHeader))
	if err != nil {
		writeStatus(w, http.StatusBadRequest)
		return
	}
	token := s.tokens.mint(st.inst.ID, s.now().Add(time.Duration(ttl)*time.Second))
	w.Header().Set(TokenTTLHeader, strconv.Itoa(ttl))
	writeText(w, token)
}

// authorized enforces IMDSv2: a presented token must be valid, and one is
// required unless AllowV1. It writes 401 and returns false otherwise.
func (s *Service) authorized(w http.ResponseWriter, r *http.Request, st *instanceState) bool {
	tokens := r.Header.Values(TokenHeader)
	if len(tokens) == 0 && s.cfg.AllowV1 {
		return true
	}
	if len(tokens) == 1 && s.tokens.verify(tokens[0], st.inst.ID, s.now()) == nil {
		return true
	}
	writeStatus(w, http.StatusUnauthorized)
	return false
}

// serveMeta answers a GET for rel (the path below /latest). Trailing
// slashes are ignored: the CLI asks for placement/availability-zone/.
func (s *Service) serveMeta(w http.ResponseWriter, r *http.Request, st *instanceState, rel string) {
	key := strings.TrimSuffix(rel, "/")
	hasRole := st.inst.InstanceProfile != ""
	switch {
	case key == identityPath:
		writeJSON(w, identityDocument(st.inst, s.started))
	case (key == iamPath || strings.HasPrefix(key, iamPath+"/")) && !hasRole:
		notFound(w) // no role attached: EC2 hides the iam tree
	case key == credsPath || strings.HasPrefix(key, credsPath+"/"):
		s.serveCredentials(w, r, st, strings.TrimPrefix(strings.TrimPrefix(key, credsPath), "/"))
	case key == iamInfoPath:
		s.serveIAMInfo(w, r, st)
	case key == "/meta-data":
		writeText(w, metaDataListing(hasRole))
	default:
		serveStatic(w, st.inst, key)
	}
}

// serveStatic answers leaves and fixed directory listings.
func serveStatic(w http.ResponseWriter, inst Instance, key string) {
	if v, ok := leafValue(inst, key); ok {
		writeText(w, v)
		return
	}
	if v, ok := directories[key]; ok {
		writeText(w, v)
		return
	}
	notFound(w)
}

// metaDataListing lists /latest/meta-data/.
func metaDataListing(hasRole bool) string {
	if hasRole {
		return "iam/\ninstance-id\nplacement/"
	}
	return "instance-id\nplacement/"
}

// leafValue returns the text of a simple metadata leaf.
func leafValue(inst Instance, key string) (string, bool) {
	switch key {
	case "/meta-data/instance-id":
		return inst.ID, true
	case "/meta-data/placement/region":
		return inst.Region, inst.Region != ""
	case "/meta-data/placement/availability-zone":
		return inst.AvailabilityZone, inst.AvailabilityZone != ""
	}
	return "", false
}

// serveCredentials answers security-credentials/ (the role name) and
// security-credentials/<role> (the credentials JSON).
func (s *Service) serveCredentials(w http.ResponseWriter, r *http.Request, st *instanceState, role string) {
	c, ok := s.roleCredentials(r.Context(), st)
	switch {
	case !ok:
		notFound(w)
	case role == "":
		writeText(w, c.RoleName)
	case role != c.RoleName:
		notFound(w)
	default:
		writeJSON(w, instanceCredentialsJSON{Code: "Success", LastUpdated: c.LastUpdated.UTC().Format(imdsTime),
			Type: "AWS-HMAC", AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, Token: c.Token,
			Expiration: c.Expiration.UTC().Format(imdsTime)})
	}
}

// instanceCredentialsJSON is the body of security-credentials/<role>.
type instanceCredentialsJSON struct {
	Code            string
	LastUpdated     string
	Type            string
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	Token           string
	Expiration      string
}

// serveIAMInfo answers meta-data/iam/info.
func (s *Service) serveIAMInfo(w http.ResponseWriter, r *http.Request, st *instanceState) {
	c, ok := s.roleCredentials(r.Context(), st)
	if !ok {
		notFound(w)
		return
	}
	writeJSON(w, iamInfoJSON{Code: "Success", LastUpdated: c.LastUpdated.UTC().Format(imdsTime),
		InstanceProfileArn: st.inst.InstanceProfileARN, InstanceProfileID: st.inst.InstanceProfileID})
}

// iamInfoJSON is the body of meta-data/iam/info.
type iamInfoJSON struct {
	Code               string
	LastUpdated        string
	InstanceProfileArn string
	InstanceProfileID  string `json:"InstanceProfileId"`
}

// identityDocument is dynamic/instance-identity/document for inst.
func identityDocument(inst Instance, pending time.Time) map[string]any {
	return map[string]any{
		"accountId": inst.Account, "architecture": "x86_64", "availabilityZone": inst.AvailabilityZone,
		"billingProducts": nil, "devpayProductCodes": nil, "marketplaceProductCodes": nil,
		"imageId": "ami-00000000000000000", "instanceId": inst.ID, "instanceType": "t3.micro",
		"kernelId": nil, "pendingTime": pending.Format(imdsTime), "privateIp": "10.0.0.10",
		"ramdiskId": nil, "region": inst.Region, "version": "2017-09-30",
	}
}

// writeJSON writes v as indented JSON with IMDS's text/plain type.
func writeJSON(w http.ResponseWriter, v any) {
	writeJSONAs(w, "text/plain", v)
}

// writeJSONAs writes v as indented JSON with the given content type.
func writeJSONAs(w http.ResponseWriter, contentType string, v any) {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		writeStatus(w, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(body)
}
