import{a,b,c,d,e}from"./chunk-PBZ5BOCM.bundle.js";export{a as COLOURS,d as draw,b as edgeId,c as elements,e as merge};
