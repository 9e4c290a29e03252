package imds

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
)

// containerCredentialsJSON is what the ECS agent and the EKS Pod Identity
// agent return; botocore and the SDKs read the first four fields.
type containerCredentialsJSON struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	Token           string
	Expiration      string
	RoleArn         string `json:",omitempty"`
	AccountID       string `json:"AccountId,omitempty"`
}

// containerErrorJSON is the error body aws-sdk-go-v2's endpointcreds decodes.
type containerErrorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// serveContainer answers GET /_sekisho/container-credentials/<id>.
func (s *Service) serveContainer(w http.ResponseWriter, r *http.Request, id string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeContainerError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use GET")
		return
	}
	if !s.containerAuthorized(r) {
		writeContainerError(w, http.StatusUnauthorized, "AccessDenied", "missing or invalid Authorization header")
		return
	}
	st := s.instances[strings.TrimSuffix(id, "/")]
	if st == nil {
		writeContainerError(w, http.StatusNotFound, "NotFound", "no such instance or task")
		return
	}
	c, ok := s.roleCredentials(r.Context(), st)
	if !ok {
		writeContainerError(w, http.StatusNotFound, "NotFound", "no credentials for "+st.inst.ID)
		return
	}
	writeJSONAs(w, "application/json", containerCredentialsJSON{AccessKeyID: c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey, Token: c.Token, Expiration: c.Expiration.UTC().Format(imdsTime),
		RoleArn: c.RoleARN, AccountID: st.inst.Account})
}

// containerAuthorized checks the Authorization header against ContainerToken.
func (s *Service) containerAuthorized(r *http.Request) bool {
	want := s.cfg.ContainerToken
	if want == "" {
		return true
	}
	got := r.Header.Get("Authorization")
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// writeContainerError writes a JSON error body with code.
func writeContainerError(w http.ResponseWriter, status int, code, msg string) {
	body, _ := json.Marshal(containerErrorJSON{Code: code, Message: msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
