"""WeCom (企业微信): the self-built app callback, the AI bot stream callback and the group robot webhook."""
