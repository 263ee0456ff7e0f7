/**
 * The nginx reference proxy for the benchmark: one worker, upstream keep-alive (as Portico
 * keeps upstream connections alive), configuration and every runtime file in a temp dir so
 * nothing under /etc or /var is read or written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, type Tracked } from './procs.js';
import { assertLoopbackPort } from './net.js';

export const NGINX_BIN = process.env.BENCH_NGINX ?? '/usr/sbin/nginx';

export function nginxConfig(dir: string, listenPort: number, upstreamPort: number): string {
  assertLoopbackPort(listenPort);
  assertLoopbackPort(upstreamPort);
  // Running as root, nginx would otherwise drop workers to `nobody`, which cannot use the
  // 0700 temp dir; as non-root the directive only triggers a warning, so leave it out.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  const p = (name: string) => join(dir, name);
  return `${user}daemon off;
master_process on;
worker_processes 1;
pid ${p('nginx.pid')};
error_log ${p('error.log')} warn;

events {
  worker_connections 4096;
}

http {
  access_log off;
  default_type application/octet-stream;
  client_body_temp_path ${p('client_body')};
  proxy_temp_path ${p('proxy')};
  fastcgi_temp_path ${p('fastcgi')};
  uwsgi_temp_path ${p('uwsgi')};
  scgi_temp_path ${p('scgi')};
  # wrk reuses its connections for the whole run; the 1.22 default of 1000 requests per
  # connection would add reconnects that neither node:http nor Portico impose.
  keepalive_requests 1000000;
  keepalive_timeout 65s;

  upstream bench_upstream {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
  }

  server {
    listen 127.0.0.1:${listenPort};

    # /proxy/<rest> -> upstream /<rest>, the same prefix stripping Portico's {proxy+} route does.
    location /proxy/ {
      proxy_pass http://bench_upstream/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

/** Starts nginx in the foreground; the caller waits for it to answer. */
export function startNginx(dir: string, listenPort: number, upstreamPort: number): Tracked {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(dir, listenPort, upstreamPort));
  // -e covers the messages nginx logs before it has read error_log from the config.
  return start('nginx', NGINX_BIN, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], { group: true });
}
