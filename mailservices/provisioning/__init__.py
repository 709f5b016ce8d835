"""DNS provisioning: each mail service's DKIM key and the zone records we host for domains
registered through us. The diagnosis only reads DNS; this app writes what should be there."""
