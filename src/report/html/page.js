(function(){
"use strict";
function cellKey(td){var v=td.getAttribute("data-sort");if(v===null)v=td.textContent.trim();var n=parseFloat(v);return(v!==""&&isFinite(v))?{n:n}:{s:v.toLowerCase()};}
function cmp(a,b){if(a.n!==undefined&&b.n!==undefined)return a.n-b.n;return String(a.s!==undefined?a.s:a.n).localeCompare(String(b.s!==undefined?b.s:b.n));}
document.querySelectorAll("table.sortable").forEach(function(t){
 var heads=t.tHead?t.tHead.rows[0].cells:[];
 Array.prototype.forEach.call(heads,function(th,i){
  var b=document.createElement("button");b.type="button";
  while(th.firstChild)b.appendChild(th.firstChild);th.appendChild(b);
  b.addEventListener("click",function(){
   var asc=th.getAttribute("aria-sort")!=="ascending";
   Array.prototype.forEach.call(heads,function(h){h.removeAttribute("aria-sort");});
   th.setAttribute("aria-sort",asc?"ascending":"descending");
   var body=t.tBodies[0];
   if(t.id){document.querySelectorAll('[data-part-of="'+t.id+'"]').forEach(function(p){var d=p.closest("details");while(p.tBodies[0].rows.length)body.appendChild(p.tBodies[0].rows[0]);if(d)d.hidden=true;});}
   var rows=Array.prototype.slice.call(body.rows);
   var keyed=rows.map(function(r){return[cellKey(r.cells[i]||r),r];});
   keyed.sort(function(x,y){var c=cmp(x[0],y[0]);return asc?c:-c;});
   var f=document.createDocumentFragment();keyed.forEach(function(k){f.appendChild(k[1]);});body.appendChild(f);
  });
 });
});
var params={};
(location.hash.replace(/^#/,"")+"&"+location.search.replace(/^\?/,"")).split("&").forEach(function(p){
 if(!p)return;var kv=p.split("=");try{params[decodeURIComponent(kv[0])]=decodeURIComponent((kv[1]||"").replace(/\+/g," "));}catch(e){}
});
document.querySelectorAll("form.filters").forEach(function(form){
 form.hidden=false;
 var table=document.getElementById(form.getAttribute("data-table"));if(!table)return;
 var parts=[table].concat(Array.prototype.slice.call(document.querySelectorAll('[data-part-of="'+table.id+'"]')));
 var out=form.querySelector("output");
 var fields=Array.prototype.slice.call(form.querySelectorAll("input,select"));
 fields.forEach(function(el){if(params[el.name]!==undefined)el.value=params[el.name];});
 function apply(){
  var shown=0,all=0,active=fields.some(function(el){return el.value.trim()!=="";});
  parts.forEach(function(t,pi){
  var rows=t.tBodies[0].rows,here=0;all+=rows.length;
  for(var r=0;r<rows.length;r++){
   var row=rows[r],ok=true;
   for(var k=0;k<fields.length&&ok;k++){
    var el=fields[k],v=el.value.trim().toLowerCase();if(!v)continue;
    var key=el.getAttribute("data-key");
    if(key==="text"){ok=row.textContent.toLowerCase().indexOf(v)>=0;}
    else{ok=(" "+(row.getAttribute("data-"+key)||"").toLowerCase()+" ").indexOf(" "+v+" ")>=0;}
   }
   if(row.hidden!==!ok)row.hidden=!ok;if(ok){shown++;here++;}
  }
  var d=pi>0&&t.closest("details");if(d&&active&&here>0)d.open=true;
  });
  if(out)out.textContent=shown+" of "+all+" shown";
 }
 fields.forEach(function(el){el.addEventListener("input",apply);el.addEventListener("change",apply);});
 form.addEventListener("submit",function(e){e.preventDefault();});
 apply();
});
window.addEventListener("beforeprint",function(){document.querySelectorAll("details.more-rows").forEach(function(d){d.open=true;});});
document.documentElement.setAttribute("data-js","ready");
})();
