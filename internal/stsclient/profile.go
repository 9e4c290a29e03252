package stsclient

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Profile is a named profile of the AWS shared credentials and config files.
type Profile struct {
	Name        string
	Credentials Credentials
	Region      string
	EndpointURL string
	RoleARN     string // set for profiles that assume a role
}

// SharedFiles returns the paths of the shared credentials and config
// files: AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE, else
// ~/.aws/credentials and ~/.aws/config.
func SharedFiles() (credentials, config string) {
	home, _ := os.UserHomeDir()
	credentials = os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
	if credentials == "" {
		credentials = filepath.Join(home, ".aws", "credentials")
	}
	config = os.Getenv("AWS_CONFIG_FILE")
	if config == "" {
		config = filepath.Join(home, ".aws", "config")
	}
	return credentials, config
}

// LoadProfile reads profile name from the shared files: keys from the
// credentials file's [name] section, else from the config file's
// [profile name] section ([default] for "default"), whose region and
// endpoint_url it also reads. A missing file counts as empty.
func LoadProfile(name string) (Profile, error) {
	credPath, configPath := SharedFiles()
	creds, err := readINI(credPath)
	if err != nil {
		return Profile{}, err
	}
	config, err := readINI(configPath)
	if err != nil {
		return Profile{}, err
	}
	configName := "profile " + name
	if name == "default" && config[configName] == nil {
		configName = "default"
	}
	cs, ps := creds[name], config[configName]
	if cs == nil && ps == nil {
		return Profile{}, fmt.Errorf("profile %q is in neither %s nor %s", name, credPath, configPath)
	}
	p := Profile{Name: name, Region: ps["region"], EndpointURL: ps["endpoint_url"], RoleARN: ps["role_arn"]}
	keys := cs
	if keys["aws_access_key_id"] == "" {
		keys = ps
	}
	p.Credentials = Credentials{AccessKeyID: keys["aws_access_key_id"], SecretAccessKey: keys["aws_secret_access_key"], SessionToken: keys["aws_session_token"]}
	return p, p.check()
}

func (p Profile) check() error {
	c := p.Credentials
	switch {
	case c.AccessKeyID == "" && p.RoleARN != "":
		return fmt.Errorf("profile %q assumes %s and has no keys of its own: give its source profile", p.Name, p.RoleARN)
	case c.AccessKeyID == "" || c.SecretAccessKey == "":
		return fmt.Errorf("profile %q lacks aws_access_key_id or aws_secret_access_key", p.Name)
	}
	return nil
}

// readINI parses the shared file at path; a missing file is empty.
func readINI(path string) (map[string]map[string]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	return parseINI(string(data)), nil
}

// parseINI reads the shared files' INI dialect: [section] headers (inner
// white space collapsed, so "[profile  x]" is "profile x"), key = value
// lines with lower-cased keys, full-line # and ; comments. Indented lines
// belong to a nested value (such as "s3 =" settings) and are skipped.
func parseINI(text string) map[string]map[string]string {
	out := map[string]map[string]string{}
	var section map[string]string
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';':
		case strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]"):
			name := strings.Join(strings.Fields(trimmed[1:len(trimmed)-1]), " ")
			if out[name] == nil {
				out[name] = map[string]string{}
			}
			section = out[name]
		case line[0] == ' ' || line[0] == '\t' || section == nil:
		default:
			if k, v, ok := strings.Cut(trimmed, "="); ok {
				section[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
			}
		}
	}
	return out
}
