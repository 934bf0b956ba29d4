import { useEffect, useState } from "react";

interface Todo {
  id: number;
  title: string;
  done: boolean;
  created: string;
}

export function App() {
  const [todos, setTodos] = useState<Todo[]>([]);
  useEffect(() => {
    fetch("/api/todos")
      .then((response) => response.json() as Promise<Todo[]>)
      .then(setTodos);
  }, []);
  return (
    <main>
      <h1>Todos</h1>
      <ul>
        {todos.map((todo) => (
          <li key={todo.id}>
            {todo.done ? "✓" : "○"} {todo.title} <small>{todo.created}</small>
          </li>
        ))}
      </ul>
    </main>
  );
}
