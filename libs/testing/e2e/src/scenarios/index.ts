import './main-flow.scenario';
