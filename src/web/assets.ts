/**
 * The web view's only static files: one stylesheet (screen and print) and one
 * script that turns an open incident's page live over Server-Sent Events.
 * Served from memory with a content hash in the URL, so they cache forever.
 */
import { createHash } from 'node:crypto';

const CSS = `
:root{--ink:#1d1c1d;--muted:#616061;--line:#ddd;--accent:#1d3557;--sev1:#b3261e;--sev2:#d9822b;--sev3:#b59f00;--ok:#2e7d32;--bg:#fafafa}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:var(--bg)}
header.top{display:flex;gap:1.5rem;align-items:center;padding:.6rem 1.5rem;background:var(--accent);color:#fff}
header.top a{color:#fff;text-decoration:none;font-weight:600}
header.top .who{margin-left:auto;display:flex;gap:.8rem;align-items:center;font-size:.9em}
header.top button{background:transparent;border:1px solid #fff8;color:#fff;border-radius:4px;padding:.2rem .6rem;cursor:pointer}
main{max-width:72rem;margin:0 auto;padding:1.2rem 1.5rem 3rem}
h1{font-size:1.5rem;margin:.4rem 0 1rem}
h2{font-size:1.15rem;margin:1.6rem 0 .6rem}
a{color:var(--accent)}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.4rem .55rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.8em;text-transform:uppercase;letter-spacing:.03em;color:var(--muted)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.sev{display:inline-block;padding:0 .4rem;border-radius:3px;color:#fff;background:#777;font-size:.8em;font-weight:600}
.sev-SEV1{background:var(--sev1)}.sev-SEV2{background:var(--sev2)}.sev-SEV3{background:var(--sev3)}
.status{font-size:.85em;color:var(--muted)}
.late{color:var(--sev1);font-weight:600}
.okay{color:var(--ok)}
.muted{color:var(--muted)}
.private{font-size:.75em;border:1px solid var(--muted);border-radius:3px;padding:0 .3rem;color:var(--muted)}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:1rem;background:#fff;padding:.7rem;border:1px solid var(--line);border-radius:6px}
form.filters label{display:flex;flex-direction:column;font-size:.8em;color:var(--muted)}
form.filters input,form.filters select{font:inherit;padding:.25rem .35rem}
.clocks{font-size:.85em}
.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem;margin-bottom:1rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dl.facts dt{color:var(--muted)}
ol.timeline{list-style:none;padding:0;margin:0;background:#fff;border:1px solid var(--line);border-radius:6px}
ol.timeline li{display:grid;grid-template-columns:12.5rem 1fr;gap:.8rem;padding:.35rem .7rem;border-bottom:1px solid #eee}
ol.timeline li time{color:var(--muted);font-variant-numeric:tabular-nums;font-size:.9em}
ol.timeline li.new{animation:flash 2s ease-out}
@keyframes flash{from{background:#fff3c4}to{background:#fff}}
.live{font-size:.8em;color:var(--ok)}
.banner{background:#fff3c4;border:1px solid #e6c200;padding:.5rem .8rem;border-radius:6px;margin-bottom:1rem}
.pager{display:flex;gap:1rem;margin-top:.8rem}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(30rem,1fr));gap:1rem}
.chart{margin:0;background:#fff;border:1px solid var(--line);border-radius:6px;padding:.5rem}
.chart svg{width:100%;height:auto}
article.report{background:#fff;border:1px solid var(--line);border-radius:6px;padding:1rem 2rem;max-width:60rem}
article.report table{font-size:.9em}
.actions{display:flex;gap:1rem;margin:.5rem 0 1rem}
@media print{
  body{background:#fff;font-size:11pt}
  header.top,.actions,form,.live,.pager,.noprint{display:none!important}
  main{max-width:none;padding:0}
  article.report{border:0;padding:0;max-width:none}
  a{color:inherit;text-decoration:none}
  h2,h3{break-after:avoid}
  tr,li{break-inside:avoid}
}
`;

const LIVE_JS = `
(function(){
  var list=document.getElementById('timeline');
  var status=document.getElementById('live-status');
  if(!list||!list.dataset.stream||!window.EventSource)return;
  var es=new EventSource(list.dataset.stream);
  es.addEventListener('timeline',function(m){
    var t=document.createElement('template');t.innerHTML=m.data;
    var items=t.content.querySelectorAll('li');
    for(var i=0;i<items.length;i++){items[i].classList.add('new');list.appendChild(items[i]);}
    var c=document.getElementById('event-count');if(c)c.textContent=String(list.children.length);
  });
  // A note's Slack message was deleted: its lines already shown from before the deletion get the withheld words (as textContent, never markup).
  es.addEventListener('withhold',function(m){
    var d=JSON.parse(m.data),items=list.children;
    for(var i=0;i<items.length;i++){
      var li=items[i],k=li.dataset.ts?d.ts.indexOf(li.dataset.ts):-1,s=li.querySelector('span');
      var w=k>=0&&(!d.before||Number(li.dataset.seq)<d.before[k])&&d.text[li.dataset.type];
      if(w&&s&&s.firstChild)s.firstChild.textContent=w+' ';
    }
  });
  es.addEventListener('header',function(m){var h=document.getElementById('incident-header');if(h){var t=document.createElement('template');t.innerHTML=m.data;h.replaceWith(t.content.firstElementChild);}});
  var ENDED={closed:'Incident closed: live updates ended.',expired:'Your session has ended: reload the page to sign in again.',gone:'This incident is no longer shown to you: live updates ended.'};
  es.addEventListener('closed',function(m){es.close();if(status)status.textContent=ENDED[m.data]||ENDED.closed;});
  es.onopen=function(){if(status)status.textContent='Live: new timeline entries appear here.';};
  es.onerror=function(){if(status)status.textContent=es.readyState===2?'Live updates ended: reload the page.':'Reconnecting…';};
})();
`;

function hashed(name: string, ext: string, body: string): { path: string; body: string; type: string } {
  const h = createHash('sha256').update(body).digest('hex').slice(0, 10);
  return { path: `/static/${name}.${h}.${ext}`, body, type: ext === 'css' ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8' };
}

export const STYLESHEET = hashed('kranz', 'css', CSS);
export const LIVE_SCRIPT = hashed('live', 'js', LIVE_JS);
export const ASSETS = new Map([STYLESHEET, LIVE_SCRIPT].map((a) => [a.path, a]));
